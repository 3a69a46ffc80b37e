import Synchronization
import UnixSignals

/// The delay between the signal to stop and the moment the proxy stops accepting connections.
///
/// Load balancers and kube-proxy keep sending a replica new connections for a few seconds after it
/// was told to stop: they learn of it from its `/ready` (503 once the delay begins) or from the
/// endpoints API. During the delay the proxy keeps accepting and serving, and answers keep-alive
/// callers with `Connection: close`, so they reconnect to a replica that stays. A second `SIGTERM`
/// or `SIGINT` ends the delay at once.
package final class DrainDelay: Sendable {
    private enum State {
        case notStarted([CheckedContinuation<Void, Never>])
        case running([CheckedContinuation<Void, Never>])
        case over
    }

    /// How long the delay lasts.
    package let duration: Duration
    private let state = Mutex(State.notStarted([]))
    private let draining = Atomic(false)

    /// - Parameter duration: Zero skips the delay.
    package init(duration: Duration) {
        self.duration = duration
    }

    /// Whether the delay has begun (and may be over): answers close their connections from now on.
    package var hasBegun: Bool { draining.load(ordering: .relaxed) }

    /// Begins the delay (once; later calls do nothing) and returns when it is over: after
    /// ``duration``, on a second `SIGTERM` or `SIGINT`, or on ``end()``.
    /// - Parameter listenForSignals: Whether a second signal ends it (off in in-process tests).
    package func begin(listenForSignals: Bool = true) async {
        let start = state.withLock { state -> Bool in
            guard case .notStarted(let waiting) = state else { return false }
            state = .running(waiting)
            return true
        }
        draining.store(true, ordering: .relaxed)
        if start, duration <= .zero {
            end()
        } else if start {
            let duration = duration
            Task { [self] in
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { try? await Task.sleep(for: duration) }
                    if listenForSignals {
                        group.addTask {
                            for await _ in await UnixSignalsSequence(trapping: .sigterm, .sigint) { return }
                        }
                    }
                    _ = await group.next()
                    group.cancelAll()
                }
                end()
            }
        }
        await waitUntilOver()
    }

    /// Returns once the delay is over; at once if it is.
    package func waitUntilOver() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                switch state {
                case .notStarted(var waiting):
                    waiting.append(continuation)
                    state = .notStarted(waiting)
                    return false
                case .running(var waiting):
                    waiting.append(continuation)
                    state = .running(waiting)
                    return false
                case .over:
                    return true
                }
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Ends the delay now.
    package func end() {
        draining.store(true, ordering: .relaxed)
        let waiting = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            switch state {
            case .notStarted(let waiting), .running(let waiting):
                state = .over
                return waiting
            case .over:
                return []
            }
        }
        for continuation in waiting { continuation.resume() }
    }
}
