import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTPTypes

/// Writes a streamed passthrough answer to the caller's connection, one part at a time, with
/// back-pressure: while the connection takes more (its outbound buffer is under NIO's high-water
/// mark), the next part is asked of the upstream at once; past it, only once this part is in the
/// kernel. A caller that reads slowly holds the upstream to its pace, and at most one buffer's
/// worth piles up in the shim.
///
/// Runs on the connection's event loop (the passthrough task's executor). A write that fails closes
/// the connection, so the next part's write is awaited and fails, and so does ``finish(_:)``.
struct ChannelResponseBodyWriter: ResponseBodyWriter {
    let channel: any Channel

    mutating func write(_ buffer: ByteBuffer) async throws {
        let written: EventLoopFuture<Void> = channel.writeAndFlush(HTTPResponsePart.body(buffer))
        // A closed connection fails the write: the answer stops, and so does the upstream read.
        if !channel.isWritable || !channel.isActive { try await written.get() }
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
        try await channel.writeAndFlush(HTTPResponsePart.end(trailingHeaders))
    }
}
