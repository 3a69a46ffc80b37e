import NIOCore

/// Sits first in the proxy listener's pipeline, before the HTTP decoder, and reports the first bytes
/// of a request to ``RequestReadHandler``: a head the decoder has not finished yet produces no event
/// of its own, and the head timeout runs from those first bytes, while a connection that sends
/// nothing is idle, not slow. It reports once per request (it is told when to watch again), so the
/// bytes of a body cost nothing.
final class RequestStartObserver: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Inbound event: the first bytes of a request arrived.
    struct BytesArrived: Sendable {}
    /// Outbound event: a request ended; report the next one's first bytes.
    struct Watch: Sendable {}

    private var watching = true

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if watching {
            watching = false
            context.fireUserInboundEventTriggered(BytesArrived())
        }
        context.fireChannelRead(data)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        if event is Watch {
            watching = true
            promise?.succeed()
        } else {
            context.triggerUserOutboundEvent(event, promise: promise)
        }
    }
}

@available(*, unavailable)
extension RequestStartObserver: Sendable {}
