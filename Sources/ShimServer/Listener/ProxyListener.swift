import HummingbirdCore
import Logging
import NIOCore
import NIOExtras
import NIOHTTP1
import NIOHTTPTypesHTTP1
import NIOPosix
import ServiceLifecycle
import Synchronization

/// The proxy listener: a SwiftNIO server whose connections are served by a channel pipeline, on
/// their own event loops, from the first byte of a request to the last byte of its answer.
///
/// This is the one place the shim goes below a framework. Hummingbird serves each connection as
/// an async task over `NIOAsyncChannel`; measured on the translation path, that bridge and the
/// thread hops around it were the largest cost left after the shim's own per-call work was cut
/// (README, "Performance"). The admin listener and the sandbox stay on Hummingbird.
///
/// Each connection's pipeline: ``RequestStartObserver``, NIO's HTTP/1.1 codec and its conversion
/// to HTTP types, ``RequestReadHandler`` (head and body timeouts, `100 Continue`),
/// ``CallerWatchHandler``, Hummingbird's `HTTPConnectionStateHandler` (idle timeout, graceful
/// close), then ``ProxyConnectionHandler``.
///
/// On graceful shutdown it first keeps serving for the ``DrainDelay`` (each answer closing its
/// connection), then stops accepting, lets each connection finish the request in progress, closes
/// idle ones, and returns once every connection has closed.
struct ProxyListener<U: Upstream>: Service {
    let host: String
    let port: Int
    let services: ProxyServices<U>
    let timeouts: RequestReadStateMachine.Timeouts
    let idleTimeout: Duration
    /// Begun on graceful shutdown; the listener stops accepting when it is over.
    let drainDelay: DrainDelay
    /// Whether a second `SIGTERM` or `SIGINT` ends the drain delay.
    let listensForSignals: Bool
    let onRunning: @Sendable (Int) async -> Void

    func run() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let quiescing = ServerQuiescingHelper(group: group)
        let executors = EventLoopTaskExecutors(group: group)
        let services = services
        let timeouts = timeouts
        let idleTimeout = idleTimeout
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(quiescing.makeServerChannelHandler(channel: channel))
                }
            }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try Self.setUp(
                        channel, services: services, timeouts: timeouts, idleTimeout: idleTimeout,
                        executor: executors.executor(for: channel.eventLoop)
                    )
                }
            }
            .bind(host: host, port: port).get()
        await onRunning(server.localAddress?.port ?? port)

        let allClosed = group.next().makePromise(of: Void.self)
        let shutdownStarted = Atomic(false)
        let startShutdown: @Sendable () -> Void = {
            guard !shutdownStarted.exchange(true, ordering: .relaxed) else { return }
            quiescing.initiateShutdown(promise: allClosed)
        }
        let drainDelay = drainDelay
        let listensForSignals = listensForSignals
        try await withGracefulShutdownHandler {
            try await withTaskCancellationHandler {
                try await allClosed.futureResult.get()
            } onCancel: {
                drainDelay.end()
                startShutdown()
            }
        } onGracefulShutdown: {
            // Keep accepting and serving (answers close their connections, /ready says 503) until
            // load balancers have moved on; then stop accepting and drain.
            if drainDelay.duration > .zero {
                services.logger.notice(
                    "stopping: /ready answers 503 and answers close their connections; the proxy stops accepting in \(drainDelay.duration) (a second SIGTERM or SIGINT: now)"
                )
            }
            Task {
                await drainDelay.begin(listenForSignals: listensForSignals)
                startShutdown()
            }
        }
    }

    /// Builds a connection's pipeline.
    static func setUp(
        _ channel: any Channel, services: ProxyServices<U>, timeouts: RequestReadStateMachine.Timeouts,
        idleTimeout: Duration, executor: EventLoopTaskExecutor
    ) throws {
        let pipeline = channel.pipeline.syncOperations
        try pipeline.addHandler(RequestStartObserver())
        try pipeline.configureHTTPServerPipeline(
            withPipeliningAssistance: false, withErrorHandling: false, withOutboundHeaderValidation: false
        )
        try pipeline.addHandler(KeepAliveNormalizer())
        try pipeline.addHandler(HTTP1ToHTTPServerCodec(secure: false))
        try pipeline.addHandler(RequestReadHandler(timeouts: timeouts))
        try pipeline.addHandler(CallerWatchHandler())
        try pipeline.addHandler(HTTPConnectionStateHandler(idleTimeout: idleTimeout, logger: services.logger))
        try pipeline.addHandler(ProxyConnectionHandler(services: services, executor: executor))
    }
}
