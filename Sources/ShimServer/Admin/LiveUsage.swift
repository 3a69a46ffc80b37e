public import ShimCore
public import ShimReport
import Foundation
import Logging
import NIOPosix
import ServiceLifecycle
import Synchronization

/// The usage summary since start (plus the usage log file's earlier records, when there is one),
/// kept in memory for the live `/deprecation` dashboard. Bounded like the metrics: at most
/// ``ShimMetrics/maxClients`` client names (later ones count as `other`) and
/// ``maxCustomersPerClient`` distinct customers per client, live or read from the log.
public final class LiveUsage: Sendable {
    /// Distinct customers remembered per client on the dashboard: bounds its memory on a long run.
    public static let maxCustomersPerClient = 100_000
    private let summary: Mutex<UsageSummary>
    private let maxClients: Int
    private let maxCustomersPerClient: Int

    /// - Parameters:
    ///   - maxClients: Client names kept.
    ///   - maxCustomersPerClient: Distinct customers remembered per client.
    public init(maxClients: Int = ShimMetrics.maxClients, maxCustomersPerClient: Int = LiveUsage.maxCustomersPerClient) {
        self.maxClients = maxClients
        self.maxCustomersPerClient = maxCustomersPerClient
        summary = Mutex(UsageSummary(maxCustomersPerClient: maxCustomersPerClient, maxClients: maxClients))
    }

    /// What the dashboard shows now.
    public func snapshot() -> UsageSummary {
        summary.withLock { $0 }
    }

    /// Adds a served call.
    public func add(_ record: UsageRecord) {
        let line = UsageLine(
            timestamp: RFC3339.format(epochMilliseconds: record.timestampMilliseconds),
            client: record.client,
            programId: record.programId,
            source: record.source,
            customer: record.customer,
            outcome: record.outcome.rawValue
        )
        summary.withLock { $0.add(line) }
    }

    /// Adds the records an existing usage log held before `byteCount` (read off the request path, then merged).
    public func load(usageLog path: String, upTo byteCount: Int) throws {
        var loaded = UsageSummary(maxCustomersPerClient: maxCustomersPerClient, maxClients: maxClients)
        try UsageLogReader.read(path, upTo: byteCount, into: &loaded)
        summary.withLock { $0.merge(loaded) }
    }

    /// The dashboard page, refreshing itself every `refreshSeconds`.
    public func page(generatedAt: String, refreshSeconds: Int = 10) -> String {
        let snapshot = summary.withLock { $0 }
        return HTMLReport.render(
            snapshot,
            title: "Deprecated endpoint usage (live)",
            generatedAt: generatedAt,
            refreshSeconds: refreshSeconds
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
