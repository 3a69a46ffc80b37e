import CoreMetrics
public import Prometheus
import ShimCore
import Synchronization

/// The shim's metrics, registered in a Prometheus registry through swift-metrics and served by the
/// admin listener. Labels come from bounded sets: client names beyond ``maxClients`` become `other`.
public final class ShimMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory
    private let inFlight: Meter
    /// Handles made once: the label sets of these metrics are fixed, so no call goes through the
    /// factory (profiles showed per-call handle creation on the request path).
    private let upstreamTimers: [String: CoreMetrics.Timer]
    private let passthroughCounters: [CoreMetrics.Counter]
    private let pathVariants: CoreMetrics.Counter
    private let legacyCalls = Mutex(LegacyCallLabels())

    /// Distinct client label values kept; callers can invent user names, the label set must stay bounded.
    public static let maxClients = 200

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
            .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
        ]
        self.factory = factory
        self.inFlight = Meter(label: "promo_shim_in_flight_requests", factory: factory)
        var timers: [String: Timer] = [:]
        for call in Self.upstreamCalls {
            timers[call] = Timer(label: "promo_shim_upstream_duration_seconds", dimensions: [("call", call)], factory: factory)
        }
        self.upstreamTimers = timers
        self.passthroughCounters = (1...5).map { statusClass in
            Counter(
                label: "promo_shim_passthrough_requests_total", dimensions: [("status_class", "\(statusClass)xx")],
                factory: factory
            )
        }
        self.pathVariants = Counter(label: "promo_shim_legacy_path_variants_total", factory: factory)
    }

    /// The `call` label values of `promo_shim_upstream_duration_seconds`.
    static let upstreamCalls = ["bulk", "lookup", "legacy"]

    /// Counts a legacy call by client, outcome and code (`none` when the answer had no code, `other`
    /// for a code the mapping tables do not know, see ``useCodeLabels(for:)``).
    public func recordLegacyCall(client: String, outcome: CallOutcome, codes: [Int]) {
        let counter = legacyCalls.withLock { labels in
            let key = LegacyCallLabels.Key(
                client: labels.boundedClient(client), outcome: outcome.rawValue, code: labels.boundedCode(codes.first)
            )
            if let counter = labels.counters[key] { return counter }
            let counter = Counter(
                label: "promo_shim_legacy_calls_total",
                dimensions: [("client", key.client), ("outcome", key.outcome), ("code", key.code)],
                factory: factory
            )
            if labels.counters.count < LegacyCallLabels.maxCachedCounters { labels.counters[key] = counter }
            return counter
        }
        counter.increment()
    }

    /// Sets the codes the `code` label of ``recordLegacyCall(client:outcome:codes:)`` may take: every
    /// code of the table (bulk entity codes, the legacy codes they map to, the shim's own codes).
    public func useCodeLabels(for table: CodeTable) {
        var known = Set(table.entity.keys)
        known.formUnion(table.entity.values.map(\.legacyCode))
        known.formUnion(table.local.values.map(\.code))
        legacyCalls.withLock { $0.codes = known }
    }

    /// Counts a legacy call that named the endpoint in a non-canonical spelling (`promo_shim_legacy_path_variants_total`).
    public func recordLegacyPathVariant() {
        pathVariants.increment()
    }

    /// Records how long an upstream call took (`call` is `bulk` or `lookup`).
    public func recordUpstreamLatency(_ duration: Duration, call: String) {
        let timer =
            upstreamTimers[call]
            ?? Timer(label: "promo_shim_upstream_duration_seconds", dimensions: [("call", call)], factory: factory)
        timer.recordNanoseconds(duration.nanoseconds)
    }

    /// Counts a passthrough request by status class (`2xx` ... `5xx`).
    public func recordPassthrough(status: Int) {
        passthroughCounters[min(max(status / 100, 1), 5) - 1].increment()
    }

    /// Tracks a request in flight for the duration of `body`.
    public func trackInFlight<Result>(_ body: () async throws -> Result) async rethrows -> Result {
        inFlight.increment()
        defer { inFlight.decrement() }
        return try await body()
    }

    /// The Prometheus text exposition of every metric.
    public func exposition() -> [UInt8] {
        registry.emitToBuffer()
    }

}

/// The label values `promo_shim_legacy_calls_total` has seen, and its counter per label set (made
/// once, not through the factory on every call). Every label comes from a bounded set.
private struct LegacyCallLabels {
    struct Key: Hashable {
        var client: String
        var outcome: String
        var code: String
    }

    /// Counters kept; the label sets are bounded already, this only caps what reloads can add.
    static let maxCachedCounters = 8192

    var clients: Set<String> = []
    var codes: Set<Int> = []
    var counters: [Key: CoreMetrics.Counter] = [:]

    mutating func boundedClient(_ client: String) -> String {
        if clients.contains(client) { return client }
        guard clients.count < ShimMetrics.maxClients else { return "other" }
        clients.insert(client)
        return client
    }

    func boundedCode(_ code: Int?) -> String {
        guard let code else { return "none" }
        return codes.contains(code) ? String(code) : "other"
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

extension ShimMetrics {
    /// How long a coalesced call waited for its batch, and how large the batch was.
    public func recordCoalescingWait(_ wait: Duration, batchSize: Int) {
        Timer(label: "promo_shim_coalescing_wait_seconds", factory: factory).recordNanoseconds(wait.nanoseconds)
        Recorder(label: "promo_shim_coalescing_batch_size", factory: factory).record(batchSize)
    }

    /// `promo_shim_mappings_info{version}` is 1 for the set in force, 0 for the one it replaced.
    public func recordMappingsLoaded(version: String, previous: String?) {
        if let previous, previous != version {
            Gauge(label: "promo_shim_mappings_info", dimensions: [("version", previous)], factory: factory).record(0)
        }
        Gauge(label: "promo_shim_mappings_info", dimensions: [("version", version)], factory: factory).record(1)
    }

    /// Counts reloads by result, and `promo_shim_mappings_last_reload_success` says how the last went.
    public func recordMappingsReload(success: Bool) {
        Counter(
            label: "promo_shim_mappings_reloads_total", dimensions: [("result", success ? "ok" : "refused")], factory: factory
        ).increment()
        Gauge(label: "promo_shim_mappings_last_reload_success", factory: factory).record(success ? 1 : 0)
    }
}

extension ShimMetrics {
    /// Counts usage records dropped while the usage log could not keep up, or not written by the
    /// shutdown deadline (`promo_shim_usage_records_dropped_total`); a count of 0 shows the series.
    public func recordUsageRecordsDropped(_ count: Int) {
        Counter(label: "promo_shim_usage_records_dropped_total", factory: factory).increment(by: count)
    }
}
