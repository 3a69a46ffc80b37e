import NIOCore
import NIOPosix
import ShimServer

/// Sends raw bytes to a loopback port and returns everything read until the peer closes.
func rawExchange(port: Int, _ request: String) async throws -> String {
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture {
                try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
            }
        }
    return try await channel.executeThenClose { inbound, outbound in
        try await outbound.write(ByteBuffer(string: request))
        var reply = ""
        for try await chunk in inbound {
            reply += String(buffer: chunk)
        }
        return reply
    }
}

/// Connects to a loopback port, writes raw bytes, and hangs up at once without reading: a caller
/// that gives up on its call.
func rawSendAndHangUp(port: Int, _ request: String) async throws {
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .connect(host: "127.0.0.1", port: port).get()
    try await channel.writeAndFlush(ByteBuffer(string: request))
    try await channel.close()
}
