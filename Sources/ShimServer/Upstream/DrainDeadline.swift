import Logging
import ServiceLifecycle
import Synchronization

/// Runs the proxy listener and, once graceful shutdown has begun, bounds its drain: when calls are
/// still upstream shortly before the shutdown timeout, the upstream connections are closed, so each
/// such call is answered at once ("may or may not have been issued", never "not issued") and gets
/// its usage record while the usage log still runs. Calls still waiting are answered "not issued".
///
/// Without it the enclosing service group cancels everything at the timeout, and callers whose
/// calls had reached the vendor lose their connection without an answer or a record.
struct DrainDeadline: Service {
    /// Whether the drain was cut short (for the exit status).
    final class Outcome: Sendable {
        private let cut = Atomic(false)
        /// The drain ran out of time and calls in flight were cut.
        var wasCutShort: Bool { cut.load(ordering: .relaxed) }
        func markCutShort() { cut.store(true, ordering: .relaxed) }
    }

    let proxy: any Service
    let upstream: EventLoopUpstream
    /// The drain begins when the delay is over.
    let drainDelay: DrainDelay
    /// How long the drain may take before calls in flight are cut.
    let limit: Duration
    let outcome: Outcome
    let logger: Logger

    /// The drain limit for a shutdown timeout: leaves time (a quarter, at most 2 s) to write the
    /// answers, flush the usage log and close.
    static func limit(forShutdownTimeout timeout: Duration) -> Duration {
        timeout - min(.seconds(2), timeout / 4)
    }

    func run() async throws {
        // Each child says whether it is the proxy: only the proxy's end ends the group.
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await proxy.run()
                return true
            }
            group.addTask {
                // Returns when graceful shutdown begins (or on cancellation, which ends this task below).
                try await gracefulShutdown()
                await drainDelay.waitUntilOver()
                try await Task.sleep(for: limit)
                outcome.markCutShort()
                logger.error("drain ran out of time: closing upstream connections of the calls still in flight")
                try? await upstream.shutdown()
                return false
            }
            while let proxyEnded = try await group.next(), !proxyEnded {}
            group.cancelAll()
        }
    }
}
