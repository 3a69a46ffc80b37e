import DequeModule

extension ConcurrencyLimiter {
    /// The limiter's rules, without locks, clocks or continuations: events in, actions out.
    ///
    /// A call is granted a slot while fewer than `maxConcurrent` run; otherwise it queues while fewer
    /// than `maxQueued` wait, else it is refused. A released slot passes straight to the oldest
    /// waiter. A waiter leaves the queue when its deadline passes or its caller goes away, and only
    /// while it is still queued: once granted, it owns its slot until it releases it.
    struct StateMachine: Sendable {
        /// Identifies one queued call.
        struct WaiterID: Hashable, Sendable {
            let raw: UInt64
        }

        /// What to do with a call that asks for a slot.
        enum AcquireAction: Equatable, Sendable {
            /// Run now.
            case run
            /// Wait; the shell keeps the continuation under this id.
            case wait(WaiterID)
            /// Answer at once: both bounds are full.
            case refuse
        }

        /// What to do when a slot is released.
        enum ReleaseAction: Equatable, Sendable {
            /// Resume this waiter: it now owns the released slot.
            case grant(WaiterID)
            /// The slot is free; nobody waits.
            case none
        }

        /// What to do when a waiter's deadline passes or its caller goes away.
        enum LeaveAction: Equatable, Sendable {
            /// It was still queued and is removed: resume it with the failure.
            case resumeFailed
            /// It was already granted (or never queued): nothing to do.
            case none
        }

        let maxConcurrent: Int
        let maxQueued: Int
        private(set) var active = 0
        private(set) var waiters = Deque<WaiterID>()
        private var nextID: UInt64 = 0

        init(maxConcurrent: Int, maxQueued: Int) {
            // `ShimConfiguration.validate()` refuses any other values (`--max-concurrent-*`, `--max-queued-upstream`).
            precondition(maxConcurrent >= 1 && maxQueued >= 0, "maxConcurrent \(maxConcurrent), maxQueued \(maxQueued)")
            self.maxConcurrent = maxConcurrent
            self.maxQueued = maxQueued
        }

        mutating func acquire() -> AcquireAction {
            if active < maxConcurrent, waiters.isEmpty {
                active += 1
                return .run
            }
            guard waiters.count < maxQueued else { return .refuse }
            nextID &+= 1
            let id = WaiterID(raw: nextID)
            waiters.append(id)
            return .wait(id)
        }

        mutating func release() -> ReleaseAction {
            if let next = waiters.popFirst() {
                // The slot passes straight to the next waiter: `active` stays the same.
                return .grant(next)
            }
            active -= 1
            return .none
        }

        /// The waiter's deadline passed, or its caller went away.
        mutating func leave(_ id: WaiterID) -> LeaveAction {
            guard let index = waiters.firstIndex(of: id) else { return .none }
            waiters.remove(at: index)
            return .resumeFailed
        }
    }
}
