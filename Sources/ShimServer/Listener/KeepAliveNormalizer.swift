import NIOCore
import NIOHTTP1

/// Marks a request that does not keep its connection alive (HTTP/1.0 without `Connection:
/// keep-alive`, or any `Connection: close`) with `Connection: close`, before the conversion to HTTP
/// types drops the protocol version: the connection then closes after its answer.
final class KeepAliveNormalizer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = unwrapInboundIn(data), !head.isKeepAlive else {
            context.fireChannelRead(data)
            return
        }
        let tokens = head.headers[canonicalForm: "connection"].map { $0.lowercased() }
        if !tokens.contains("close") {
            head.headers.add(name: "connection", value: "close")
        }
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }
}

@available(*, unavailable)
extension KeepAliveNormalizer: Sendable {}
