import DequeModule
import Synchronization

/// Bounds concurrent upstream calls and the calls queued behind them. Beyond both bounds a call is
/// refused at once, so overload costs a fast 503 instead of unbounded memory.
public final class ConcurrencyLimiter: Sendable {
    private struct State {
        var active = 0
        var waiters = Deque<CheckedContinuation<Void, Never>>()
    }

    /// Most calls running at once.
    public let maxConcurrent: Int
    /// Most calls waiting for a slot.
    public let maxQueued: Int
    private let state = Mutex(State())

    public init(maxConcurrent: Int, maxQueued: Int) {
        self.maxConcurrent = max(1, maxConcurrent)
        self.maxQueued = max(0, maxQueued)
    }

    /// Runs `body` within the bound; returns `nil` without running it when the bound and queue are full.
    public func run<Result: Sendable>(_ body: () async throws -> Result) async rethrows -> Result? {
        guard await acquire() else { return nil }
        defer { release() }
        return try await body()
    }

    private enum Admission {
        case granted
        case queued
        case refused
    }

    private func acquire() async -> Bool {
        let admission: Admission = state.withLock { state in
            if state.active < maxConcurrent {
                state.active += 1
                return .granted
            }
            return state.waiters.count < maxQueued ? .queued : .refused
        }
        switch admission {
        case .granted:
            return true
        case .refused:
            return false
        case .queued:
            await withCheckedContinuation { continuation in
                let grantedNow: Bool = state.withLock { state in
                    // A slot may have been released between the two locks.
                    if state.active < maxConcurrent {
                        state.active += 1
                        return true
                    }
                    state.waiters.append(continuation)
                    return false
                }
                if grantedNow { continuation.resume() }
            }
            return true
        }
    }

    private func release() {
        let next: CheckedContinuation<Void, Never>? = state.withLock { state in
            if let waiter = state.waiters.popFirst() {
                // The slot passes straight to the next waiter: `active` stays the same.
                return waiter
            }
            state.active -= 1
            return nil
        }
        next?.resume()
    }
}
