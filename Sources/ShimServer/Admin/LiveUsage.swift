package import Foundation
import Logging
import NIOPosix
import ServiceLifecycle
package import ShimCore
package import ShimReport
import Synchronization

/// The usage summary since start (plus the usage log file's earlier records, when there is one),
/// kept in memory for the live `/deprecation` dashboard. Bounded like the metrics: at most
/// ``ShimMetrics/maxClients`` client names (later ones count as `other`) and
/// ``maxCustomersPerClient`` distinct customers per client, live or read from the log, and
/// ``maxAmbiguousCalls`` calls listed for reconciliation. The page shows the days left to the sunset
/// date and the contact list as of the moment it is rendered.
package final class LiveUsage: Sendable {
    /// Distinct customers remembered per client on the dashboard: bounds its memory on a long run.
    package static let maxCustomersPerClient = 100_000
    /// Calls listed for reconciliation on the dashboard (the report lists more).
    package static let maxAmbiguousCalls = 1_000
    /// Most recent calls and request ids the page's suspected retries compare against: a hard bound,
    /// whatever the call rate (a few MB); beyond it, only calls already remembered are compared.
    package static let maxRememberedCalls = 20_000
    private let summary: Mutex<UsageSummary>
    private let maxClients: Int
    private let maxCustomersPerClient: Int
    /// The sunset date the page counts down to and projects against (the server's ``DeprecationPolicy``).
    package let sunsetDate: Date?

    /// - Parameters:
    ///   - maxClients: Client names kept.
    ///   - maxCustomersPerClient: Distinct customers remembered per client.
    ///   - sunsetDate: The announced sunset date, if any.
    package init(
        maxClients: Int = ShimMetrics.maxClients, maxCustomersPerClient: Int = LiveUsage.maxCustomersPerClient,
        sunsetDate: Date? = nil
    ) {
        self.maxClients = maxClients
        self.maxCustomersPerClient = maxCustomersPerClient
        self.sunsetDate = sunsetDate
        summary = Mutex(Self.emptySummary(maxClients: maxClients, maxCustomersPerClient: maxCustomersPerClient))
    }

    private static func emptySummary(maxClients: Int, maxCustomersPerClient: Int) -> UsageSummary {
        UsageSummary(
            maxCustomersPerClient: maxCustomersPerClient, maxClients: maxClients, maxAmbiguousCalls: maxAmbiguousCalls,
            maxRememberedCalls: maxRememberedCalls
        )
    }

    /// What the dashboard shows now.
    package func snapshot() -> UsageSummary {
        summary.withLock { $0 }
    }

    /// Adds a served call.
    package func add(_ record: UsageRecord) {
        summary.withLock { $0.add(record) }
    }

    /// Adds the records an existing usage log held before `byteCount` (read off the request path, then merged).
    package func load(usageLog path: String, upTo byteCount: Int) throws {
        var loaded = Self.emptySummary(maxClients: maxClients, maxCustomersPerClient: maxCustomersPerClient)
        try UsageLogReader.read(path, upTo: byteCount, into: &loaded)
        summary.withLock { $0.merge(loaded) }
    }

    /// The dashboard page as of `now` (milliseconds since the Unix epoch), refreshing itself every
    /// `refreshSeconds`.
    package func page(now: Int64, refreshSeconds: Int = 10) -> String {
        let snapshot = summary.withLock { $0 }
        return HTMLReport.render(
            snapshot,
            title: "Deprecated endpoint usage (live)",
            generatedAt: RFC3339.format(epochMilliseconds: now),
            refreshSeconds: refreshSeconds,
            now: now,
            sunsetMilliseconds: sunsetDate.map { Int64(($0.timeIntervalSince1970 * 1000).rounded(.down)) }
        )
    }
}

/// Reads the usage log's earlier records into the live dashboard once, at start, on NIO's thread pool.
/// Only the bytes that were there before the shim started count: later ones are live already.
struct UsageHistoryLoader: Service {
    let path: String
    let liveUsage: LiveUsage
    let logger: Logger
    let sizeAtStart: Int

    init(path: String, liveUsage: LiveUsage, logger: Logger) {
        self.path = path
        self.liveUsage = liveUsage
        self.logger = logger
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        self.sizeAtStart = (attributes?[.size] as? NSNumber)?.intValue ?? 0
    }

    func run() async throws {
        do {
            if sizeAtStart > 0 {
                try await NIOThreadPool.singleton.runIfActive { [self] in
                    try liveUsage.load(usageLog: path, upTo: sizeAtStart)
                }
            }
        } catch {
            logger.warning("could not read the usage log's history for the dashboard", metadata: ["error": "\(error)"])
        }
        try? await gracefulShutdown()
    }
}
