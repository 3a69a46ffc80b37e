import HTTPTypes
import Logging
import ServiceLifecycle
import Synchronization

/// Readiness for `/ready`: the upstream has answered at least once (any HTTP status counts), the
/// usage log (if any) keeps up with the calls, and the mappings are loaded (they are, once the shim
/// runs: invalid mappings stop start-up).
package final class Readiness: Sendable {
    private let upstreamReached = Atomic<Bool>(false)
    private let usageLog: UsageLog?
    private let drainDelay: DrainDelay?

    /// - Parameters:
    ///   - usageLog: The usage log whose trouble (records dropped, writes failing or stalled) makes
    ///     the shim not ready.
    ///   - drainDelay: Once it has begun, the shim is stopping: not ready, so load balancers move on.
    package init(usageLog: UsageLog? = nil, drainDelay: DrainDelay? = nil) {
        self.usageLog = usageLog
        self.drainDelay = drainDelay
    }

    /// Why the shim is not ready, for the body of a 503; `nil` when it is.
    package var notReadyReason: String? {
        if drainDelay?.hasBegun == true { return "draining: shutting down" }
        guard upstreamWasReached else { return "upstream not reached yet" }
        return usageLog?.problem
    }

    /// Whether the upstream has answered at least once.
    package var upstreamWasReached: Bool { upstreamReached.load(ordering: .relaxed) }

    /// Notes that the upstream answered.
    package func markUpstreamReached() {
        upstreamReached.store(true, ordering: .relaxed)
    }
}

/// Probes the upstream (`GET` on its base path, without credentials) until it answers once.
struct UpstreamProbe<U: Upstream>: Service {
    /// The probe's `User-Agent`, so vendors and test upstreams can tell it from traffic.
    static var userAgent: String { "promo-shim-readiness-probe" }

    let upstream: U
    let readiness: Readiness
    let logger: Logger
    var interval: Duration = .seconds(2)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !readiness.upstreamWasReached, !Task.isCancelled {
                do {
                    _ = try await upstream.exchange(
                        UpstreamRequest(method: .get, target: "/", headers: [.userAgent: Self.userAgent]),
                        maxResponseBytes: 1 << 16,
                        logger: logger
                    )
                    readiness.markUpstreamReached()
                    logger.info("upstream reachable")
                } catch {
                    logger.debug("upstream not reachable yet", metadata: ["error": "\(error)"])
                    try? await Task.sleep(for: interval)
                }
            }
        }
        // Stay up until shutdown, like every other service of the group.
        try? await gracefulShutdown()
    }
}
