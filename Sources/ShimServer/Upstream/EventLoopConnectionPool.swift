import DequeModule
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// Keep-alive HTTP/1.1 connections to the upstream that all live on one event loop.
///
/// A call that arrives on a downstream connection of this loop goes out on a connection of this
/// loop too: no thread hop between reading the caller's request, talking to the upstream and
/// answering, as nginx and Envoy do it. Touched only on its event loop (hence `@unchecked Sendable`:
/// every entry point either runs there or hops there first).
final class EventLoopConnectionPool: @unchecked Sendable {
    let eventLoop: any EventLoop
    private let host: String
    private let port: Int
    private let connectTimeout: TimeAmount
    private let readTimeout: TimeAmount
    /// Most idle connections kept open; more are closed when their call ends.
    private let maxIdle: Int
    private let logger: Logger
    private var idle: [UpstreamExchangeHandler] = []
    private var open: [ObjectIdentifier: UpstreamExchangeHandler] = [:]
    private var isShutDown = false

    init(
        eventLoop: any EventLoop, host: String, port: Int, connectTimeout: TimeAmount, readTimeout: TimeAmount,
        maxIdle: Int, logger: Logger
    ) {
        self.eventLoop = eventLoop
        self.host = host
        self.port = port
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.maxIdle = max(1, maxIdle)
        self.logger = logger
    }

    /// A call waiting for a connection.
    private struct Waiter {
        var head: HTTPRequestHead
        var body: ByteBuffer?
        var maxResponseBytes: Int
        var deadline: NIODeadline
        var retryOnConnectFailure: Bool
        var promise: EventLoopPromise<BufferedUpstreamResponse>

        func send(on connection: UpstreamExchangeHandler) {
            connection.send(
                head: head, body: body, maxResponseBytes: maxResponseBytes, deadline: deadline, promise: promise
            )
        }
    }

    /// Calls waiting for a connection, oldest first. Every waiter started one connect; whichever
    /// connection is ready first (a new one or one whose call ended) serves the oldest waiter, so
    /// a slow connect does not hold up a call while other connections come free.
    private var waiters = Deque<Waiter>()
    private var connectsInFlight = 0

    /// Sends a request on an idle connection, or on the first connection that becomes free. Call on
    /// `eventLoop`.
    /// - Parameter retryOnConnectFailure: Connect once more when a connect made for this call fails.
    func send(
        head: HTTPRequestHead, body: ByteBuffer?, maxResponseBytes: Int, deadline: NIODeadline,
        retryOnConnectFailure: Bool, promise: EventLoopPromise<BufferedUpstreamResponse>
    ) {
        eventLoop.preconditionInEventLoop()
        guard !isShutDown else {
            promise.fail(UpstreamError.connectFailed)
            return
        }
        let waiter = Waiter(
            head: head, body: body, maxResponseBytes: maxResponseBytes, deadline: deadline,
            retryOnConnectFailure: retryOnConnectFailure, promise: promise
        )
        while let connection = idle.popLast() {
            if connection.isUsable {
                waiter.send(on: connection)
                return
            }
        }
        waiters.append(waiter)
        startConnect(deadline: deadline)
    }

    private func startConnect(deadline: NIODeadline) {
        connectsInFlight += 1
        connect(deadline: deadline).assumeIsolated().whenComplete { result in
            self.connectsInFlight -= 1
            switch result {
            case .success(let connection) where connection.isUsable:
                self.release(connection)
            case .success:
                // Closed before it could be used: as good as a failed connect.
                self.connectFailed(.connectFailed)
            case .failure(let error):
                self.connectFailed(HTTPClientUpstream.classify(error))
            }
        }
    }

    /// A connect failed: when the connects still under way cannot serve every waiter, the oldest
    /// waiter connects once more (if it may and has time) or fails.
    private func connectFailed(_ failure: UpstreamError) {
        guard waiters.count > connectsInFlight, let waiter = waiters.first else { return }
        let failure = failure == .connectionLost ? UpstreamError.connectFailed : failure
        if isShutDown {
            waiters.removeFirst().promise.fail(UpstreamError.connectFailed)
        } else if failure == .connectFailed, waiter.retryOnConnectFailure, NIODeadline.now() < waiter.deadline {
            logger.debug("upstream connect failed, retrying once")
            waiters[waiters.startIndex].retryOnConnectFailure = false
            startConnect(deadline: waiter.deadline)
        } else {
            waiters.removeFirst().promise.fail(failure)
        }
    }

    /// Takes a connection that is free: a new one, or one whose call ended with the connection still
    /// reusable. It serves the oldest waiter, or waits in the idle list.
    func release(_ connection: UpstreamExchangeHandler) {
        eventLoop.assertInEventLoop()
        if let waiter = waiters.popFirst() {
            waiter.send(on: connection)
        } else if isShutDown || idle.count >= maxIdle {
            connection.close()
        } else {
            idle.append(connection)
        }
    }

    /// Forgets a connection that closed.
    func remove(_ connection: UpstreamExchangeHandler) {
        eventLoop.assertInEventLoop()
        open[ObjectIdentifier(connection)] = nil
        idle.removeAll { $0 === connection }
    }

    /// Closes every connection; calls in flight end with `connectionLost`, later ones fail at once.
    func shutdown() -> EventLoopFuture<Void> {
        eventLoop.submit {
            self.isShutDown = true
            self.idle.removeAll()
            for connection in self.open.values { connection.close() }
            while let waiter = self.waiters.popFirst() {
                waiter.promise.fail(UpstreamError.connectFailed)
            }
        }
    }

    private func connect(deadline: NIODeadline) -> EventLoopFuture<UpstreamExchangeHandler> {
        let remaining = deadline - .now()
        let readTimeout = readTimeout
        return ClientBootstrap(group: eventLoop)
            .connectTimeout(min(connectTimeout, max(remaining, .milliseconds(1))))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(
                        UpstreamExchangeHandler(pool: self, readTimeout: readTimeout)
                    )
                }
            }
            .connect(host: host, port: port)
            .flatMapThrowing { channel in
                let connection = try channel.pipeline.syncOperations.handler(type: UpstreamExchangeHandler.self)
                if self.isShutDown {
                    connection.close()
                    throw UpstreamError.connectFailed
                }
                self.open[ObjectIdentifier(connection)] = connection
                return connection
            }
    }
}
