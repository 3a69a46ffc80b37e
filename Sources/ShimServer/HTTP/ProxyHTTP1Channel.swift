public import HummingbirdCore
public import Logging
public import NIOCore

/// The proxy listener's HTTP/1.1 child channel: Hummingbird's `HTTP1Channel` (codec, idle timeout,
/// request handling) with ``RequestStartObserver`` in front of the decoder and ``RequestReadHandler``
/// after it, which bound how slowly a caller may send a request and answer `Expect: 100-continue`.
public struct ProxyHTTP1Channel: ServerChildChannel {
    /// The connection as Hummingbird's HTTP/1.1 handling sees it.
    public typealias Value = HTTP1Channel.Value

    let http1: HTTP1Channel

    /// - Parameters:
    ///   - responder: Hummingbird's responder.
    ///   - headTimeout: From a request's first byte to the end of its head.
    ///   - bodyTimeout: Longest silence while a body is read.
    ///   - idleTimeout: How long a connection may wait for its next request.
    ///   - additionalChannelHandlers: More handlers after ``RequestReadHandler``, made anew for each connection.
    public init(
        responder: @escaping HTTPChannelHandler.Responder, headTimeout: Duration, bodyTimeout: Duration, idleTimeout: Duration,
        additionalChannelHandlers: @autoclosure @escaping @Sendable () -> [any RemovableChannelHandler] = []
    ) {
        let timeouts = RequestReadStateMachine.Timeouts(head: TimeAmount(headTimeout), body: TimeAmount(bodyTimeout))
        self.http1 = HTTP1Channel(
            responder: responder,
            configuration: .init(
                additionalChannelHandlers: [RequestReadHandler(timeouts: timeouts)] + additionalChannelHandlers(),
                idleTimeout: TimeAmount(idleTimeout)
            )
        )
    }

    /// Adds the observer before the HTTP pipeline, then sets that up.
    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        do {
            try channel.pipeline.syncOperations.addHandler(RequestStartObserver())
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return http1.setup(channel: channel, logger: logger)
    }

    /// Serves the connection's requests.
    public func handle(value: Value, logger: Logger) async {
        await http1.handle(value: value, logger: logger)
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        self = .nanoseconds(duration.nanoseconds)
    }
}
