import Synchronization

/// Whether the caller of a proxy connection is still there, and the call it is waiting for.
///
/// ``CallerWatchHandler`` marks it gone when the connection's input closes (the caller hung up or
/// half-closed, which nginx treats as an abort too) or the connection closes. A call that runs
/// ``watching(_:)`` then has its task cancelled, so whatever it still waits for (a slot, a batch, a
/// connection) gives up and nothing is sent for a caller that cannot read the answer. Work already
/// sent upstream is not stopped by this: the upstream clients finish a sent call whatever happens.
package final class CallerPresence: Sendable {
    /// A cancellation handle of the task waiting on the caller's behalf.
    private struct Watcher: @unchecked Sendable {
        // Only `cancel()` is used, which Swift allows from any thread while the task runs; the
        // handle is dropped (under the lock) before `watching` returns.
        let task: UnsafeCurrentTask
    }

    private struct State {
        var gone = false
        var watcher: Watcher?
    }

    private let state = Mutex(State())

    /// A caller that has already gone.
    static var gone: CallerPresence {
        let presence = CallerPresence()
        presence.markGone()
        return presence
    }

    /// Whether the caller has gone.
    var isGone: Bool { state.withLock { $0.gone } }

    /// The caller has gone: cancels the task watching, if any.
    func markGone() {
        state.withLock { state in
            state.gone = true
            state.watcher?.task.cancel()
            state.watcher = nil
        }
    }

    /// Runs `operation`, cancelling the current task if the caller goes meanwhile (or has gone).
    func watching<Result>(_ operation: () async -> Result) async -> Result {
        withUnsafeCurrentTask { task in
            guard let task else { return }
            state.withLock { state in
                if state.gone {
                    task.cancel()
                } else {
                    state.watcher = Watcher(task: task)
                }
            }
        }
        let result = await operation()
        state.withLock { $0.watcher = nil }
        return result
    }
}
