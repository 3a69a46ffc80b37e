package import NIOCore
import NIOPosix
import Synchronization

/// Bounds concurrent upstream calls and the calls queued behind them. Beyond both bounds a call is
/// refused at once, so overload costs a fast 503 instead of unbounded memory. A queued call leaves
/// the queue at its deadline or when its task is cancelled (its caller went away), never to be sent.
///
/// The rules are ``StateMachine``'s; this shell holds the continuations and the deadline timers.
package final class ConcurrencyLimiter: Sendable {
    /// How a call's wait for a slot ended, when it did not run.
    package enum Refusal: Error, Sendable {
        /// Both bounds were full.
        case full
        /// Its deadline passed while it was queued.
        case deadlinePassed
        /// Its task was cancelled while it was queued.
        case cancelled
    }

    private struct Waiting {
        var continuation: CheckedContinuation<Refusal?, Never>
        var timer: Scheduled<Void>?
    }

    private struct State {
        var machine: StateMachine
        var waiting: [StateMachine.WaiterID: Waiting] = [:]
        /// Granted before their continuation was registered.
        var grantedEarly: Set<StateMachine.WaiterID> = []
    }

    /// Most calls running at once.
    package let maxConcurrent: Int
    /// Most calls waiting for a slot.
    package let maxQueued: Int
    private let state: Mutex<State>

    /// A limiter; `maxConcurrent` below 1 counts as 1, `maxQueued` below 0 as 0 (no queue).
    package init(maxConcurrent: Int, maxQueued: Int) {
        let machine = StateMachine(maxConcurrent: maxConcurrent, maxQueued: maxQueued)
        self.maxConcurrent = machine.maxConcurrent
        self.maxQueued = machine.maxQueued
        state = Mutex(State(machine: machine))
    }

    /// Runs `body` within the bound, or answers why it did not run it.
    ///
    /// With a caller's `presence`, a caller that leaves while the call waits for a slot takes it out
    /// of the queue (``Refusal/cancelled``), and a slot granted as it left is given back unused. Once
    /// `body` runs, the caller's leaving no longer reaches it: what is sent finishes.
    /// - Parameters:
    ///   - deadline: When a queued call gives up; `nil` waits as long as it takes.
    ///   - presence: The caller's connection, watched only while the call waits; `nil`: not watched.
    package func run<Result: Sendable>(
        deadline: NIODeadline? = nil, watching presence: CallerPresence? = nil, _ body: () async throws -> Result
    ) async rethrows -> Swift.Result<Result, Refusal> {
        let refusal: Refusal? =
            if let presence { await presence.watching { await acquire(deadline: deadline) } } else {
                await acquire(deadline: deadline)
            }
        if let refusal { return .failure(refusal) }
        defer { release() }
        // Granted as the caller left (its task is cancelled then): nothing is started for it.
        if presence?.isGone == true { return .failure(.cancelled) }
        return .success(try await body())
    }

    private func acquire(deadline: NIODeadline?) async -> Refusal? {
        let action = state.withLock { $0.machine.acquire() }
        switch action {
        case .run: return nil
        case .refuse: return .full
        case .wait(let id):
            return await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Refusal?, Never>) in
                    let decided: Refusal?? = state.withLock { state in
                        if state.grantedEarly.remove(id) != nil { return .some(nil) }
                        // Not granted and no longer queued: its caller left before it got here.
                        guard state.machine.waiters.contains(id) else { return .some(.cancelled) }
                        var timer: Scheduled<Void>?
                        if let deadline {
                            // Fires later on an event loop, never inside this lock.
                            timer = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(deadline: deadline) {
                                self.leave(id, because: .deadlinePassed)
                            }
                        }
                        state.waiting[id] = Waiting(continuation: continuation, timer: timer)
                        return .none
                    }
                    if case .some(let refusal) = decided { continuation.resume(returning: refusal) }
                }
            } onCancel: {
                self.leave(id, because: .cancelled)
            }
        }
    }

    private func leave(_ id: StateMachine.WaiterID, because refusal: Refusal) {
        let waiting: Waiting? = state.withLock { state in
            guard state.machine.leave(id) == .resumeFailed else { return nil }
            return state.waiting.removeValue(forKey: id)
        }
        waiting?.timer?.cancel()
        waiting?.continuation.resume(returning: refusal)
    }

    private func release() {
        let next: Waiting? = state.withLock { state in
            switch state.machine.release() {
            case .grant(let id):
                guard let waiting = state.waiting.removeValue(forKey: id) else {
                    state.grantedEarly.insert(id)
                    return nil
                }
                return waiting
            case .none: return nil
            }
        }
        next?.timer?.cancel()
        next?.continuation.resume(returning: nil)
    }
}
