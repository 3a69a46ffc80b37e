import NIOCore
import NIOPosix
import Synchronization

/// A raw TCP connection to a loopback port that writes bytes when told and reads what arrives, for
/// behaviour that lives between the bytes of one request (interim responses, half-sent heads, stalls).
///
/// Every wait has a generous upper bound: a test asserts that something happens within it, never
/// how long it took.
final class RawConnection: Sendable {
    private let channel: any Channel
    private let state: Collector

    /// Connects to `127.0.0.1:port`.
    /// - Parameter autoRead: `false` makes a caller that never reads what is sent to it.
    init(port: Int, autoRead: Bool = true) async throws {
        let state = Collector()
        self.state = state
        self.channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.autoRead, value: autoRead)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(state) }
            }
            .connect(host: "127.0.0.1", port: port).get()
    }

    /// Everything received so far (the first megabyte of it; ``byteCount`` counts all).
    var text: String { state.received.withLock { $0 } }

    /// How many bytes have arrived.
    var byteCount: Int { state.count.withLock { $0 } }

    /// Whether the last bytes received are `suffix`.
    func endsWith(_ suffix: String) -> Bool {
        state.tail.withLock { $0.hasSuffix(suffix) }
    }

    /// Reads once from a connection made with `autoRead` off: what the next socket read returns.
    func readOnce() {
        channel.read()
    }

    /// Starts reading a connection made with `autoRead` off.
    func startReading() async throws {
        try await channel.setOption(.autoRead, value: true).get()
        channel.read()
    }

    /// Whether the peer has closed the connection.
    var isClosed: Bool { state.closed.withLock { $0 } }

    /// Writes `text` as it is.
    func write(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text))
    }

    /// Waits until the received text contains `marker` (true), or `limit` passes (false).
    func waitFor(_ marker: String, within limit: Duration = .seconds(5)) async -> Bool {
        await poll(within: limit) { self.text.contains(marker) }
    }

    /// Waits until the peer closes (true), or `limit` passes (false).
    func waitForClose(within limit: Duration = .seconds(5)) async -> Bool {
        await poll(within: limit) { self.isClosed }
    }

    /// Half-closes: no more bytes are sent, what arrives is still read.
    func closeOutput() async throws {
        try await channel.close(mode: .output)
    }

    /// Closes the connection.
    func close() async {
        try? await channel.close()
    }

    private func poll(within limit: Duration, _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    /// Collects the bytes that arrive and notes the close.
    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let received = Mutex("")
        let count = Mutex(0)
        let tail = Mutex("")
        let closed = Mutex(false)

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            let total = count.withLock { count in
                count += buffer.readableBytes
                return count
            }
            if total - buffer.readableBytes < 1 << 20 {
                received.withLock { $0 += String(buffer: buffer) }
            }
            let last = String(
                buffer: buffer.getSlice(
                    at: buffer.readerIndex + max(0, buffer.readableBytes - 64), length: min(64, buffer.readableBytes))!)
            tail.withLock { tail in
                tail = String((tail + last).suffix(64))
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            closed.withLock { $0 = true }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}
