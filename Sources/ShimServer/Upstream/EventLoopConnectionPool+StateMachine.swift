import DequeModule
import NIOCore

extension EventLoopConnectionPool {
    /// The pool's rules, without sockets or promises: events in, actions out (the shape of
    /// AsyncHTTPClient's `HTTPConnectionPool.StateMachine`). The shell performs the actions.
    ///
    /// - A call takes the oldest idle connection that is still open by the kernel's account (an
    ///   upstream's close that has arrived but not yet been read counts as closed) and not stale;
    ///   otherwise it waits and starts a connect of its own.
    /// - A new connection serves the oldest waiting call at once. A connection whose call just ended
    ///   is handed to a waiting call only once it has settled (idle for `reuseGrace`): an upstream
    ///   that closes right behind its answer has then been seen closing.
    /// - A waiting call leaves at its deadline (not sent), when its caller goes (not sent), or when a
    ///   connect made for it fails (retried once when it may be).
    /// - Idle connections beyond `maxIdle`, or idle longer than `idleTimeout`, are closed.
    struct StateMachine<Connection: Hashable & Sendable>: Sendable {
        /// A call waiting for a connection.
        struct Waiter: Equatable, Sendable {
            var id: UInt64
            var deadline: NIODeadline
            var retryOnConnectFailure: Bool
        }

        /// What the shell must do.
        enum Action: Equatable, Sendable {
            /// Write the waiting call `id` on `connection`.
            case send(UInt64, on: Connection)
            /// Start a connect bounded by `deadline`.
            case connect(deadline: NIODeadline)
            /// Fail the waiting call `id`; nothing was sent.
            case fail(UInt64, UpstreamError)
            /// Close the connection.
            case close(Connection)
            /// Call ``handOffTimerFired(now:isReusable:)`` at this time.
            case scheduleHandOff(at: NIODeadline)
        }

        private struct Idle: Sendable {
            var connection: Connection
            var since: NIODeadline
        }

        let maxIdle: Int
        let idleTimeout: TimeAmount
        let reuseGrace: TimeAmount
        private var idle = Deque<Idle>()
        private(set) var waiters = Deque<Waiter>()
        private var connectsInFlight = 0
        private(set) var isShutDown = false

        init(maxIdle: Int, idleTimeout: TimeAmount, reuseGrace: TimeAmount) {
            self.maxIdle = max(1, maxIdle)
            self.idleTimeout = idleTimeout
            self.reuseGrace = reuseGrace
        }

        /// Idle connections, oldest first (for tests).
        var idleConnections: [Connection] { idle.map(\.connection) }

        /// A call wants a connection.
        mutating func request(
            _ waiter: Waiter, now: NIODeadline, isReusable: (Connection) -> Bool
        ) -> [Action] {
            if isShutDown { return [.fail(waiter.id, .connectFailed)] }
            if now >= waiter.deadline { return [.fail(waiter.id, .notSentInTime)] }
            var actions: [Action] = []
            if let connection = takeIdle(now: now, settled: false, isReusable: isReusable, closing: &actions) {
                actions.append(.send(waiter.id, on: connection))
                return actions
            }
            waiters.append(waiter)
            connectsInFlight += 1
            actions.append(.connect(deadline: waiter.deadline))
            return actions
        }

        /// A connect succeeded: a fresh connection serves the oldest waiting call at once.
        mutating func connected(_ connection: Connection, now: NIODeadline) -> [Action] {
            connectsInFlight -= 1
            if isShutDown { return [.close(connection)] }
            var actions = failExpiredWaiters(now: now)
            if let waiter = waiters.popFirst() {
                actions.append(.send(waiter.id, on: connection))
            } else {
                actions += park(connection, now: now)
            }
            return actions
        }

        /// A connect failed: when the connects still under way cannot serve every waiter, the
        /// oldest connects once more (if it may and has time) or fails.
        mutating func connectFailed(_ error: UpstreamError, now: NIODeadline) -> [Action] {
            connectsInFlight -= 1
            guard waiters.count > connectsInFlight, let waiter = waiters.first else { return [] }
            if isShutDown {
                waiters.removeFirst()
                return [.fail(waiter.id, .connectFailed)]
            }
            if now >= waiter.deadline {
                // Cut short by the call's own deadline: nothing was sent in time.
                waiters.removeFirst()
                return [.fail(waiter.id, .notSentInTime)]
            }
            if error == .connectFailed, waiter.retryOnConnectFailure {
                waiters[waiters.startIndex].retryOnConnectFailure = false
                connectsInFlight += 1
                return [.connect(deadline: waiter.deadline)]
            }
            waiters.removeFirst()
            return [.fail(waiter.id, error)]
        }

        /// A call ended with its answer read whole and the connection reusable.
        mutating func released(_ connection: Connection, now: NIODeadline) -> [Action] {
            if isShutDown { return [.close(connection)] }
            var actions = park(connection, now: now)
            if !waiters.isEmpty {
                actions.append(.scheduleHandOff(at: now + reuseGrace))
            }
            return actions
        }

        /// Time to hand settled idle connections to waiting calls.
        mutating func handOffTimerFired(now: NIODeadline, isReusable: (Connection) -> Bool) -> [Action] {
            var actions = failExpiredWaiters(now: now)
            while !waiters.isEmpty,
                let connection = takeIdle(now: now, settled: true, isReusable: isReusable, closing: &actions)
            {
                actions.append(.send(waiters.removeFirst().id, on: connection))
            }
            if !waiters.isEmpty, let youngest = idle.first {
                actions.append(.scheduleHandOff(at: youngest.since + reuseGrace))
            }
            return actions
        }

        /// The caller of waiting call `id` went away.
        mutating func cancel(_ id: UInt64) -> [Action] {
            guard let index = waiters.firstIndex(where: { $0.id == id }) else { return [] }
            waiters.remove(at: index)
            return [.fail(id, .cancelled)]
        }

        /// A connection closed (by either side).
        mutating func closed(_ connection: Connection) {
            idle.removeAll { $0.connection == connection }
        }

        /// Periodic: closes connections idle for longer than `idleTimeout`.
        mutating func sweep(now: NIODeadline) -> [Action] {
            let staleBefore = now - idleTimeout
            var actions: [Action] = []
            while let oldest = idle.first, oldest.since <= staleBefore {
                idle.removeFirst()
                actions.append(.close(oldest.connection))
            }
            return actions
        }

        /// Stop: idle connections close, waiting calls fail (nothing was sent).
        mutating func shutdown() -> [Action] {
            isShutDown = true
            var actions = idle.map { Action.close($0.connection) }
            idle.removeAll()
            actions += waiters.map { .fail($0.id, .connectFailed) }
            waiters.removeAll()
            return actions
        }

        private mutating func park(_ connection: Connection, now: NIODeadline) -> [Action] {
            idle.append(Idle(connection: connection, since: now))
            guard idle.count > maxIdle else { return [] }
            return [.close(idle.removeFirst().connection)]
        }

        private mutating func failExpiredWaiters(now: NIODeadline) -> [Action] {
            var actions: [Action] = []
            while let waiter = waiters.first, waiter.deadline <= now {
                waiters.removeFirst()
                actions.append(.fail(waiter.id, .notSentInTime))
            }
            return actions
        }

        /// The oldest idle connection that is still open (and, when `settled`, idle for at least
        /// `reuseGrace`); stale or closed ones met on the way are closed.
        private mutating func takeIdle(
            now: NIODeadline, settled: Bool, isReusable: (Connection) -> Bool, closing actions: inout [Action]
        ) -> Connection? {
            let staleBefore = now - idleTimeout
            let settledBefore = settled ? now - reuseGrace : now
            while let oldest = idle.first {
                if oldest.since <= staleBefore || !isReusable(oldest.connection) {
                    idle.removeFirst()
                    actions.append(.close(oldest.connection))
                    continue
                }
                guard oldest.since <= settledBefore else { return nil }
                idle.removeFirst()
                return oldest.connection
            }
            return nil
        }
    }
}
