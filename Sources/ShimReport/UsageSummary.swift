package import ShimCore

/// Everything the report says, accumulated record by record: per client, per day, per outcome, the
/// calls to reconcile and the suspected retries.
package struct UsageSummary: Sendable {
    /// Figures per client, by name (at most ``maxClients`` names and ``otherClient``).
    package private(set) var clients: [String: Client] = [:]
    /// Calls per UTC day, keyed by days since 1970-01-01.
    package private(set) var callsPerDay: [Int: Int] = [:]
    /// Calls per outcome (`issued`, `brownout`, ...).
    package var outcomes: [String: Int] {
        Dictionary(uniqueKeysWithValues: callsPerOutcome.map { ($0.key.rawValue, $0.value) })
    }
    private var callsPerOutcome: [CallOutcome: Int] = [:]
    /// Lines that were not usage records (torn or foreign lines), skipped.
    package var skippedLines = 0
    /// Well-formed records with an outcome this version does not know (a newer shim's), skipped and
    /// counted per outcome (at most ``maxUnknownOutcomes`` names, the rest under `other`).
    package private(set) var unknownOutcomes: [String: Int] = [:]
    /// The calls whose answer was a failure although the vendor may have the call.
    package private(set) var ambiguousCalls: AmbiguousCalls
    /// Calls of one customer, program and promotion again within a window; request ids seen twice.
    package private(set) var retries: RetrySuspicion
    /// The time of the newest record counted (the report's default reference time).
    package private(set) var newestMilliseconds: Int64?
    /// Only records at or after this RFC 3339 date or time count; `nil` counts all.
    package let since: String?
    private let sinceMilliseconds: Int64?
    /// Most distinct customers remembered per client (a long-running dashboard must stay bounded);
    /// beyond it the count is a lower bound.
    package let maxCustomersPerClient: Int
    /// Most client names kept (callers can invent user names); the calls of later names are counted
    /// under ``otherClient``.
    package let maxClients: Int
    /// The name the calls of clients beyond ``maxClients`` are counted under, as in the metrics.
    package static let otherClient = "other"
    /// Most distinct unknown outcome names counted by name.
    package static let maxUnknownOutcomes = 20

    /// - Parameters:
    ///   - since: Counts only records at or after this RFC 3339 date or time; a shorter prefix such as
    ///     `2026-11-01T10` means its earliest instant.
    ///   - maxCustomersPerClient: Distinct customers remembered per client.
    ///   - maxClients: Client names kept.
    ///   - maxAmbiguousCalls: Calls listed for reconciliation; later ones are only counted.
    ///   - retryWindowMilliseconds: How close a repeated call must follow to count as a suspected retry.
    ///   - maxRememberedCalls: Most recent calls and request ids remembered for the suspected retries.
    package init(
        since: String? = nil, maxCustomersPerClient: Int = .max, maxClients: Int = .max,
        maxAmbiguousCalls: Int = AmbiguousCalls.defaultLimit,
        retryWindowMilliseconds: Int64 = RetrySuspicion.defaultWindowMilliseconds, maxRememberedCalls: Int = .max
    ) {
        self.since = since
        self.sinceMilliseconds = since.flatMap(Self.earliestInstant)
        self.maxCustomersPerClient = maxCustomersPerClient
        self.maxClients = maxClients
        self.ambiguousCalls = AmbiguousCalls(limit: maxAmbiguousCalls)
        self.retries = RetrySuspicion(windowMilliseconds: retryWindowMilliseconds, maxRemembered: maxRememberedCalls)
    }

    /// The earliest instant a date or date-time prefix names: `2026-11-01T10` is 10:00:00.000Z.
    package static func earliestInstant(_ text: String) -> Int64? {
        let template = "0000-01-01T00:00:00.000Z"
        if let exact = RFC3339.milliseconds(text) { return exact }
        guard text.utf8.count > 10, text.utf8.count < template.utf8.count else { return nil }
        return RFC3339.milliseconds(text + template.dropFirst(text.count))
    }

    /// Calls counted.
    package var totalCalls: Int { callsPerDay.values.reduce(0, +) }

    /// Adds one record.
    package mutating func add(_ record: UsageRecord) {
        if let sinceMilliseconds, record.timestampMilliseconds < sinceMilliseconds { return }
        let day = record.dayNumber
        callsPerDay[day, default: 0] += 1
        callsPerOutcome[record.outcome, default: 0] += 1
        newestMilliseconds = max(newestMilliseconds ?? record.timestampMilliseconds, record.timestampMilliseconds)
        // One hash of the name per record on the common path: the client is known.
        let name: String
        if let index = clients.index(forKey: record.client) {
            name = record.client
            clients.values[index].record(record, day: day, maxCustomers: maxCustomersPerClient)
        } else {
            name = boundedName(record.client)
            clients[name, default: Client(name: name, at: record.timestampMilliseconds)]
                .record(record, day: day, maxCustomers: maxCustomersPerClient)
        }
        if record.isAmbiguous { ambiguousCalls.add(record) }
        retries.add(record, client: name)
    }

    /// Counts a well-formed line whose outcome this version does not know.
    package mutating func addUnknownOutcome(_ outcome: String) {
        let name = unknownOutcomes[outcome] != nil || unknownOutcomes.count < Self.maxUnknownOutcomes ? outcome : "other"
        unknownOutcomes[name, default: 0] += 1
    }

    /// Lines with an outcome this version does not know.
    package var unknownOutcomeLines: Int { unknownOutcomes.values.reduce(0, +) }

    /// `name` while it is known or there is room for it, else ``otherClient``.
    private func boundedName(_ name: String) -> String {
        if clients[name] != nil { return name }
        let named = clients.count - (clients[Self.otherClient] == nil ? 0 : 1)
        return named < maxClients ? name : Self.otherClient
    }

    /// Adds everything another summary counted (e.g. a usage log read beside live traffic), within
    /// this summary's bounds: the busiest clients keep their names, the rest go to ``otherClient``.
    package mutating func merge(_ other: UsageSummary) {
        for (day, calls) in other.callsPerDay { callsPerDay[day, default: 0] += calls }
        for (outcome, calls) in other.callsPerOutcome { callsPerOutcome[outcome, default: 0] += calls }
        for (outcome, lines) in other.unknownOutcomes {
            for _ in 0..<lines { addUnknownOutcome(outcome) }
        }
        skippedLines += other.skippedLines
        if let newest = other.newestMilliseconds { newestMilliseconds = max(newestMilliseconds ?? newest, newest) }
        ambiguousCalls.merge(other.ambiguousCalls)
        var renamed: [String: String] = [:]
        for client in other.clientsByCalls {
            let name = client.name == Self.otherClient ? client.name : boundedName(client.name)
            renamed[client.name] = name
            if clients[name] == nil {
                var adopted = client
                adopted.name = name
                adopted.customers = []
                adopted.addCustomers(client.customers, maxCustomers: maxCustomersPerClient)
                clients[name] = adopted
            } else {
                clients[name]!.merge(client, maxCustomers: maxCustomersPerClient)
            }
        }
        retries.merge(other.retries, renamed: renamed)
    }

    /// Clients by calls, most first.
    package var clientsByCalls: [Client] {
        clients.values.sorted { $0.calls != $1.calls ? $0.calls > $1.calls : $0.name < $1.name }
    }

    /// Every day from the first to the last with its calls (days without calls count 0).
    package var dailySeries: [(day: String, calls: Int)] {
        guard let first = callsPerDay.keys.min(), let last = callsPerDay.keys.max() else { return [] }
        return (first...last).map { (Days.string($0), callsPerDay[$0] ?? 0) }
    }

    /// The trend of calls per day.
    package var trend: Trend { Trend(series: dailySeries) }

    /// The contact list as of `now` (default: the newest record), against the sunset date, if known.
    package func contactList(now: Int64? = nil, sunsetMilliseconds: Int64? = nil) -> ContactList {
        ContactList(summary: self, now: now ?? newestMilliseconds, sunsetMilliseconds: sunsetMilliseconds)
    }
}
