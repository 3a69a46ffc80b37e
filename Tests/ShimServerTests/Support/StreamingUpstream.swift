import NIOCore
import NIOHTTP1
import Synchronization

/// A plain-http upstream for streaming tests: `GET /bytes/N` answers N bytes as a chunked body
/// written only while the connection is writable (it stops when the reader does), counting what it
/// wrote; any request with a body is read to its end, counting what arrived, and answered with the
/// count.
final class StreamingUpstream: Sendable {
    private let counts = Mutex((written: 0, received: 0))

    /// Body bytes written to the current download so far.
    var written: Int { counts.withLock { $0.written } }
    /// Body bytes received from uploads so far.
    var received: Int { counts.withLock { $0.received } }

    func run<Result: Sendable>(_ body: (String) async throws -> Result) async throws -> Result {
        try await withHTTPLoopbackServer(makeHandler: { Handler(owner: self) }, body)
    }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        // Confined to its channel's event loop.
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let owner: StreamingUpstream
        private var remaining = 0
        private var uploaded = 0
        private static let chunk = ByteBuffer(repeating: UInt8(ascii: "x"), count: 64 << 10)

        init(owner: StreamingUpstream) {
            self.owner = owner
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                uploaded = 0
                if head.uri.hasPrefix("/bytes/") { remaining = Int(head.uri.dropFirst("/bytes/".count)) ?? 0 }
            case .body(let part):
                uploaded += part.readableBytes
                let count = part.readableBytes
                owner.counts.withLock { $0.received += count }
            case .end:
                if remaining > 0 {
                    var headers = HTTPHeaders()
                    headers.add(name: "transfer-encoding", value: "chunked")
                    context.writeAndFlush(
                        wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
                    writeWhileWritable(context: context)
                } else {
                    let text = "received=\(uploaded)"
                    var headers = HTTPHeaders()
                    headers.add(name: "content-length", value: String(text.utf8.count))
                    context.write(
                        wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
                    context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
                    context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                }
            }
        }

        func channelWritabilityChanged(context: ChannelHandlerContext) {
            if context.channel.isWritable, remaining > 0 { writeWhileWritable(context: context) }
            context.fireChannelWritabilityChanged()
        }

        private func writeWhileWritable(context: ChannelHandlerContext) {
            while remaining > 0, context.channel.isWritable {
                let size = min(remaining, Self.chunk.readableBytes)
                remaining -= size
                owner.counts.withLock { $0.written += size }
                context.write(wrapOutboundOut(.body(.byteBuffer(Self.chunk.getSlice(at: 0, length: size)!))), promise: nil)
                if remaining == 0 {
                    context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                    return
                }
            }
            context.flush()
        }
    }
}
