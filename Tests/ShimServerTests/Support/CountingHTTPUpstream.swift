import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// An HTTP/1.1 upstream that counts the connections it accepts and answers by path:
/// `/close` answers with `Connection: close`, `/big` streams 4,000 bytes in chunks, `/endless` streams
/// one chunk and never ends, `/silent` never answers; any other path echoes what arrived as
/// `method target host=H length=N`.
final class CountingHTTPUpstream: Sendable {
    private let counters = Mutex((connections: 0, requests: 0, closed: 0))

    /// Connections accepted so far.
    var connections: Int { counters.withLock { $0.connections } }
    /// Requests received so far.
    var requests: Int { counters.withLock { $0.requests } }
    /// Connections closed so far (by either side).
    var closedConnections: Int { counters.withLock { $0.closed } }

    func run<Result: Sendable>(_ body: (String) async throws -> Result) async throws -> Result {
        try await withHTTPLoopbackServer(
            makeHandler: {
                self.counters.withLock { $0.connections += 1 }
                return Handler(owner: self)
            }, body)
    }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        // Confined to its channel's event loop.
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let owner: CountingHTTPUpstream
        var head: HTTPRequestHead?
        var length = 0

        init(owner: CountingHTTPUpstream) {
            self.owner = owner
        }

        func channelInactive(context: ChannelHandlerContext) {
            owner.counters.withLock { $0.closed += 1 }
            context.fireChannelInactive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                length = 0
            case .body(let body):
                length += body.readableBytes
            case .end:
                guard let head else { return }
                owner.counters.withLock { $0.requests += 1 }
                answer(head, context: context)
            }
        }

        private func answer(_ request: HTTPRequestHead, context: ChannelHandlerContext) {
            var headers = HTTPHeaders()
            switch request.uri {
            case "/silent":
                return
            case "/big":
                headers.add(name: "transfer-encoding", value: "chunked")
                context.write(
                    wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
                for _ in 0..<4 {
                    let chunk = ByteBuffer(repeating: UInt8(ascii: "x"), count: 1000)
                    context.write(wrapOutboundOut(.body(.byteBuffer(chunk))), promise: nil)
                }
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                return
            case "/endless":
                headers.add(name: "transfer-encoding", value: "chunked")
                context.write(
                    wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
                let chunk = ByteBuffer(repeating: UInt8(ascii: "x"), count: 1000)
                context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(chunk))), promise: nil)
                return
            case "/close":
                headers.add(name: "connection", value: "close")
            default:
                break
            }
            let text = "\(request.method.rawValue) \(request.uri) host=\(request.headers["host"].first ?? "-") length=\(length)"
            let body = ByteBuffer(string: text)
            headers.add(name: "content-length", value: String(body.readableBytes))
            context.write(
                wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
                if request.uri == "/close" { channel.close(promise: nil) }
            }
        }
    }
}
