import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// Keep-alive HTTP/1.1 connections to the upstream that all live on one event loop.
///
/// A call that arrives on a downstream connection of this loop goes out on a connection of this
/// loop too: no thread hop between reading the caller's request, talking to the upstream and
/// answering, as nginx and Envoy do it. The rules (which connection serves which call, when to
/// connect, close, fail) are ``StateMachine``'s; this shell performs its actions. Touched only on
/// its event loop (hence `@unchecked Sendable`: every entry point either runs there or hops there).
final class EventLoopConnectionPool: @unchecked Sendable {
    let eventLoop: any EventLoop
    /// Runs the tasks that write streamed request bodies, on this pool's loop.
    let executor: EventLoopTaskExecutor
    private let host: String
    private let port: Int
    private let connectTimeout: TimeAmount
    private let readTimeout: TimeAmount
    private let logger: Logger
    private var machine: StateMachine<ObjectIdentifier>
    private var open: [ObjectIdentifier: UpstreamExchangeHandler] = [:]
    private var calls: [UInt64: Call] = [:]
    private var idleSweep: RepeatedTask?

    /// How long a connection whose call ended waits before another call may be written on it: an
    /// upstream that closes right behind its answer is seen closing within it.
    static let reuseGrace = TimeAmount.microseconds(500)

    init(
        eventLoop: any EventLoop, host: String, port: Int, connectTimeout: TimeAmount, readTimeout: TimeAmount,
        maxIdle: Int, idleTimeout: TimeAmount = .seconds(4), logger: Logger
    ) {
        self.eventLoop = eventLoop
        self.executor = EventLoopTaskExecutor(eventLoop)
        self.host = host
        self.port = port
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.logger = logger
        self.machine = StateMachine(maxIdle: maxIdle, idleTimeout: idleTimeout, reuseGrace: Self.reuseGrace)
    }

    /// A call waiting for a connection: what to write once it has one.
    private enum Call {
        case buffered(
            head: HTTPRequestHead, body: ByteBuffer?, maxResponseBytes: Int, deadline: NIODeadline,
            promise: EventLoopPromise<BufferedUpstreamResponse>
        )
        case streamed(StreamedUpstreamCall)

        /// Fails the call; nothing of it was sent.
        func fail(_ error: UpstreamError) {
            switch self {
            case .buffered(_, _, _, _, let promise):
                promise.fail(error)
            case .streamed(let call):
                call.started?.fail(error)
                call.answered.fail(error)
            }
        }
    }

    /// Sends a request on a settled idle connection, or on the first connection that becomes free.
    /// Call on `eventLoop`.
    /// - Parameters:
    ///   - id: Identifies the call for ``cancel(id:)``.
    ///   - retryOnConnectFailure: Connect once more when a connect made for this call fails.
    func send(
        id: UInt64, head: HTTPRequestHead, body: ByteBuffer?, maxResponseBytes: Int, deadline: NIODeadline,
        retryOnConnectFailure: Bool, promise: EventLoopPromise<BufferedUpstreamResponse>
    ) {
        enqueue(
            id: id,
            .buffered(head: head, body: body, maxResponseBytes: maxResponseBytes, deadline: deadline, promise: promise),
            deadline: deadline, retryOnConnectFailure: retryOnConnectFailure
        )
    }

    /// Sends a streamed call the same way. Call on `eventLoop`.
    func send(id: UInt64, _ call: StreamedUpstreamCall, retryOnConnectFailure: Bool) {
        enqueue(id: id, .streamed(call), deadline: call.deadline, retryOnConnectFailure: retryOnConnectFailure)
    }

    private func enqueue(id: UInt64, _ call: Call, deadline: NIODeadline, retryOnConnectFailure: Bool) {
        eventLoop.preconditionInEventLoop()
        calls[id] = call
        let waiter = StateMachine<ObjectIdentifier>.Waiter(
            id: id, deadline: deadline, retryOnConnectFailure: retryOnConnectFailure
        )
        perform(machine.request(waiter, now: .now(), isReusable: isReusable))
    }

    /// The caller of a waiting call went away: the call leaves the queue unsent. A call already
    /// sent is left to finish, so its answer reaches the usage record.
    func cancel(id: UInt64) {
        eventLoop.assertInEventLoop()
        perform(machine.cancel(id))
    }

    /// A connection whose call ended with its answer read whole; it may serve another call.
    func release(_ connection: UpstreamExchangeHandler) {
        eventLoop.assertInEventLoop()
        perform(machine.released(ObjectIdentifier(connection), now: .now()))
        if idleSweep == nil, !machine.isShutDown {
            let interval = TimeAmount.nanoseconds(max(machine.idleTimeout.nanoseconds / 2, 10_000_000))
            idleSweep = eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
                self.perform(self.machine.sweep(now: .now()))
            }
        }
    }

    /// Forgets a connection that closed.
    func remove(_ connection: UpstreamExchangeHandler) {
        eventLoop.assertInEventLoop()
        let id = ObjectIdentifier(connection)
        open[id] = nil
        machine.closed(id)
    }

    /// Closes every connection; calls in flight end with `connectionLost`, later ones fail at once.
    func shutdown() -> EventLoopFuture<Void> {
        eventLoop.submit {
            self.idleSweep?.cancel()
            self.perform(self.machine.shutdown())
            for connection in self.open.values { connection.close() }
        }
    }

    private func isReusable(_ id: ObjectIdentifier) -> Bool {
        open[id]?.isReusable ?? false
    }

    private func perform(_ actions: [StateMachine<ObjectIdentifier>.Action]) {
        for action in actions {
            switch action {
            case .send(let callID, let connectionID):
                guard let call = calls.removeValue(forKey: callID) else { continue }
                guard let connection = open[connectionID] else {
                    call.fail(.connectFailed)
                    continue
                }
                switch call {
                case .buffered(let head, let body, let maxResponseBytes, let deadline, let promise):
                    connection.send(
                        head: head, body: body, maxResponseBytes: maxResponseBytes, deadline: deadline, promise: promise
                    )
                case .streamed(let streamed):
                    connection.send(streamed)
                }
            case .connect(let deadline):
                startConnect(deadline: deadline)
            case .fail(let callID, let error):
                calls.removeValue(forKey: callID)?.fail(error)
            case .close(let connectionID):
                open[connectionID]?.close()
            case .scheduleHandOff(let time):
                eventLoop.assumeIsolated().scheduleTask(deadline: time) {
                    self.perform(self.machine.handOffTimerFired(now: .now(), isReusable: self.isReusable))
                }
            }
        }
    }

    private func startConnect(deadline: NIODeadline) {
        connect(deadline: deadline).assumeIsolated().whenComplete { result in
            switch result {
            case .success(let connection) where connection.isUsable:
                self.perform(self.machine.connected(ObjectIdentifier(connection), now: .now()))
            case .success:
                // Closed before it could be used: as good as a failed connect.
                self.perform(self.machine.connectFailed(.connectFailed, now: .now()))
            case .failure(let error):
                let failure = HTTPClientUpstream.classify(error)
                if failure == .connectFailed { self.logger.debug("upstream connect failed") }
                self.perform(
                    self.machine.connectFailed(failure == .connectionLost ? .connectFailed : failure, now: .now())
                )
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
                    // The heads sent here are the shim's own or fields the listener's parser
                    // accepted (no CR, LF or NUL), so NIO's per-request header validation (4 % of
                    // a translated call in the profile) checks nothing new.
                    try channel.pipeline.syncOperations.addHTTPClientHandlers(enableOutboundHeaderValidation: false)
                    try channel.pipeline.syncOperations.addHandler(
                        UpstreamExchangeHandler(pool: self, readTimeout: readTimeout)
                    )
                }
            }
            .connect(host: host, port: port)
            .flatMapThrowing { channel in
                let connection = try channel.pipeline.syncOperations.handler(type: UpstreamExchangeHandler.self)
                if self.machine.isShutDown {
                    connection.close()
                    throw UpstreamError.connectFailed
                }
                self.open[ObjectIdentifier(connection)] = connection
                return connection
            }
    }
}
