package import Prometheus
package import ShimCore
import Synchronization

/// The shim's metrics, in a Prometheus registry served by the admin listener. Every metric has its
/// help text (``MetricHelp``), so the exposition passes `promtool check metrics`. Labels come from
/// bounded sets: client names beyond ``maxClients`` become `other`, codes the mapping tables do not
/// know become `other`.
package final class ShimMetrics: Sendable {
    /// The registry that holds every metric of the shim; the admin listener serves it on `/metrics`.
    package let registry: PrometheusCollectorRegistry
    private let inFlight: Gauge
    /// Handles made once: the label sets of these metrics are fixed, so no call looks them up
    /// (profiles showed per-call handle creation on the request path).
    private let upstreamDurations: [String: DurationHistogram]
    private let passthroughCounters: [Counter]
    private let pathVariants: Counter
    private let legacyCalls = Mutex(LegacyCallLabels())
    private let legacyCallDurations: [String: DurationHistogram]
    private let process: ProcessMetrics

    /// Distinct client label values kept; callers can invent user names, the label set must stay bounded.
    package static let maxClients = 200

    /// Buckets of every duration histogram: 0.5 ms to 10 s.
    static let durationBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
        .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    /// Registers the shim's metrics, with their help text, in `registry`.
    package init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        self.inFlight = registry.makeGauge(descriptor: MetricHelp.descriptor("promo_shim_in_flight_requests"))
        var upstream: [String: DurationHistogram] = [:]
        for call in Self.upstreamCalls {
            upstream[call] = Self.durationHistogram(registry, "promo_shim_upstream_duration_seconds", [("call", call)])
        }
        self.upstreamDurations = upstream
        self.passthroughCounters = (1...5).map { statusClass in
            registry.makeCounter(
                descriptor: MetricHelp.descriptor("promo_shim_passthrough_requests_total"),
                labels: [("status_class", "\(statusClass)xx")]
            )
        }
        self.pathVariants = registry.makeCounter(descriptor: MetricHelp.descriptor("promo_shim_legacy_path_variants_total"))
        var durations: [String: DurationHistogram] = [:]
        for outcome in CallOutcome.allCases {
            durations[outcome.rawValue] = Self.durationHistogram(
                registry, "promo_shim_legacy_call_duration_seconds", [("outcome", outcome.rawValue)]
            )
        }
        self.legacyCallDurations = durations
        self.process = ProcessMetrics(registry: registry)
        registry.makeGauge(
            descriptor: MetricHelp.descriptor("promo_shim_build_info"),
            labels: [("version", BuildInfo.version), ("revision", BuildInfo.revision)]
        ).set(to: 1.0)
    }

    static func durationHistogram(
        _ registry: PrometheusCollectorRegistry, _ name: String, _ labels: [(String, String)]
    ) -> DurationHistogram {
        registry.makeDurationHistogram(descriptor: MetricHelp.descriptor(name), labels: labels, buckets: durationBuckets)
    }

    /// The `call` label values of `promo_shim_upstream_duration_seconds`.
    static let upstreamCalls = ["bulk", "lookup", "legacy"]

    /// Counts a legacy call by client, outcome and code (`none` when the answer had no code, `other`
    /// for a code the mapping tables do not know, see ``useCodeLabels(for:)``), and every code of
    /// its answer the tables do not know in `promo_shim_unmapped_codes_total`.
    package func recordLegacyCall(client: String, outcome: CallOutcome, codes: [Int]) {
        let registry = registry
        let (counter, unmapped) = legacyCalls.withLock { labels -> (Counter, [Counter]) in
            let key = LegacyCallLabels.Key(
                client: labels.boundedClient(client), outcome: outcome.rawValue, code: labels.boundedCode(codes.first)
            )
            let unmapped = codes.compactMap { labels.unmappedCounter(for: $0, registry: registry) }
            if let counter = labels.counters[key] { return (counter, unmapped) }
            let counter = registry.makeCounter(
                descriptor: MetricHelp.descriptor("promo_shim_legacy_calls_total"),
                labels: [("client", key.client), ("outcome", key.outcome), ("code", key.code)]
            )
            if labels.counters.count < LegacyCallLabels.maxCachedCounters { labels.counters[key] = counter }
            return (counter, unmapped)
        }
        counter.increment()
        for counter in unmapped { counter.increment() }
    }

    /// Counts a legacy call `deprecation.yaml` refused (`dryRun` false: answered 410) or would have
    /// refused (a dry run, or after the sunset with `serve`), by client, reason (`brownout` or
    /// `sunset`) and mode (`promo_shim_deprecation_refusals_total`).
    package func recordDeprecationRefusal(client: String, reason: CallOutcome, dryRun: Bool) {
        let registry = registry
        let counter = legacyCalls.withLock { labels -> Counter in
            let key = LegacyCallLabels.Key(
                client: labels.boundedClient(client), outcome: reason.rawValue, code: dryRun ? "dryRun" : "enforce"
            )
            if let counter = labels.refusals[key] { return counter }
            let counter = registry.makeCounter(
                descriptor: MetricHelp.descriptor("promo_shim_deprecation_refusals_total"),
                labels: [("client", key.client), ("reason", key.outcome), ("mode", key.code)]
            )
            labels.refusals[key] = counter
            return counter
        }
        counter.increment()
    }

    /// Records how long a legacy call took, from its arrival to its answer, by outcome
    /// (`promo_shim_legacy_call_duration_seconds`).
    package func recordLegacyCallDuration(_ duration: Duration, outcome: CallOutcome) {
        legacyCallDurations[outcome.rawValue]?.record(duration)
    }

    /// Publishes the deprecation policy's dates as Unix seconds, so alerts can compare against
    /// them (`promo_shim_deprecation_date_seconds`, `promo_shim_sunset_date_seconds`; the latter
    /// only when a sunset date is set).
    package func recordPolicy(deprecationDate: Double, sunsetDate: Double?) {
        registry.makeGauge(descriptor: MetricHelp.descriptor("promo_shim_deprecation_date_seconds")).set(deprecationDate)
        if let sunsetDate {
            registry.makeGauge(descriptor: MetricHelp.descriptor("promo_shim_sunset_date_seconds")).set(sunsetDate)
        }
    }

    /// Sets the codes the `code` label of ``recordLegacyCall(client:outcome:codes:)`` may take: every
    /// code of the table (bulk entity codes, the legacy codes they map to, the shim's own codes).
    package func useCodeLabels(for table: CodeTable) {
        var known = Set(table.entity.keys)
        known.formUnion(table.entity.values.map(\.legacyCode))
        known.formUnion(table.local.values.map(\.code))
        legacyCalls.withLock { $0.codes = known }
    }

    /// Counts a legacy call that named the endpoint in a non-canonical spelling (`promo_shim_legacy_path_variants_total`).
    package func recordLegacyPathVariant() {
        pathVariants.increment()
    }

    /// Records how long an upstream call took (`call` is `bulk`, `lookup` or `legacy`).
    package func recordUpstreamLatency(_ duration: Duration, call: String) {
        let histogram =
            upstreamDurations[call] ?? Self.durationHistogram(registry, "promo_shim_upstream_duration_seconds", [("call", call)])
        histogram.record(duration)
    }

    /// Counts a passthrough request by status class (`2xx` ... `5xx`).
    package func recordPassthrough(status: Int) {
        passthroughCounters[min(max(status / 100, 1), 5) - 1].increment()
    }

    /// Tracks a request in flight for the duration of `body`.
    package func trackInFlight<Result>(_ body: () async throws -> Result) async rethrows -> Result {
        inFlight.increment()
        defer { inFlight.decrement() }
        return try await body()
    }

    /// The Prometheus text exposition of every metric.
    package func exposition() -> [UInt8] {
        process.update()
        return registry.emitToBuffer()
    }
}

/// The label values `promo_shim_legacy_calls_total` has seen, and its counter per label set (made
/// once, not looked up on every call). Every label comes from a bounded set.
private struct LegacyCallLabels {
    struct Key: Hashable {
        var client: String
        var outcome: String
        var code: String
    }

    /// Counters kept; the label sets are bounded already, this only caps what reloads can add.
    static let maxCachedCounters = 8192
    /// Distinct vendor codes ``unmappedCounter(for:registry:)`` names; later ones count as `other`.
    static let maxUnmappedCodes = 100

    var clients: Set<String> = []
    var codes: Set<Int> = []
    var counters: [Key: Counter] = [:]
    /// `promo_shim_deprecation_refusals_total` per client, reason and mode (the key's `code`).
    var refusals: [Key: Counter] = [:]
    var unmapped: [String: Counter] = [:]

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

    /// The counter of a code the mapping tables do not know (relayed to the caller as the vendor
    /// sent it), or `nil` for a known code (`promo_shim_unmapped_codes_total{code}`).
    mutating func unmappedCounter(for code: Int, registry: PrometheusCollectorRegistry) -> Counter? {
        guard !codes.contains(code) else { return nil }
        var label = String(code)
        if unmapped[label] == nil, unmapped.count >= Self.maxUnmappedCodes { label = "other" }
        if let counter = unmapped[label] { return counter }
        let counter = registry.makeCounter(
            descriptor: MetricHelp.descriptor("promo_shim_unmapped_codes_total"), labels: [("code", label)]
        )
        unmapped[label] = counter
        return counter
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

extension ShimMetrics {
    /// Buckets of `promo_shim_coalescing_batch_size`.
    static let batchSizeBuckets: [Double] = [1, 2, 3, 5, 10, 20, 50, 100]

    /// How long a coalesced call waited for its batch, and how large the batch was.
    package func recordCoalescingWait(_ wait: Duration, batchSize: Int) {
        Self.durationHistogram(registry, "promo_shim_coalescing_wait_seconds", []).record(wait)
        registry.makeValueHistogram(
            descriptor: MetricHelp.descriptor("promo_shim_coalescing_batch_size"), labels: [], buckets: Self.batchSizeBuckets
        ).record(Double(batchSize))
    }

    /// `promo_shim_mappings_info{version}` is 1 for the set in force, 0 for the one it replaced.
    package func recordMappingsLoaded(version: String, previous: String?) {
        let descriptor = MetricHelp.descriptor("promo_shim_mappings_info")
        if let previous, previous != version {
            registry.makeGauge(descriptor: descriptor, labels: [("version", previous)]).set(to: 0)
        }
        registry.makeGauge(descriptor: descriptor, labels: [("version", version)]).set(to: 1)
    }

    /// Counts reloads by result, and `promo_shim_mappings_last_reload_success` says how the last went.
    package func recordMappingsReload(success: Bool) {
        registry.makeCounter(
            descriptor: MetricHelp.descriptor("promo_shim_mappings_reloads_total"),
            labels: [("result", success ? "ok" : "refused")]
        ).increment()
        registry.makeGauge(descriptor: MetricHelp.descriptor("promo_shim_mappings_last_reload_success"))
            .set(to: success ? 1 : 0)
    }

    /// Counts usage records dropped while the usage log could not keep up, or not written by the
    /// shutdown deadline (`promo_shim_usage_records_dropped_total`); a count of 0 shows the series.
    package func recordUsageRecordsDropped(_ count: Int) {
        registry.makeCounter(descriptor: MetricHelp.descriptor("promo_shim_usage_records_dropped_total"))
            .increment(by: Int64(count))
    }
}
