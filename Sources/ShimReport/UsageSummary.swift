/// Everything the report says, accumulated line by line: per client, per day, per outcome.
public struct UsageSummary: Sendable {
    /// The figures of one client.
    public struct Client: Sendable {
        public var name: String
        public var calls = 0
        public var failures = 0
        public var customers: Set<String> = []
        public var firstSeen: String
        public var lastSeen: String
        public var programs: [Int64: Int] = [:]
        public var sources: [String: Int] = [:]
        public var callsPerDay: [String: Int] = [:]

        /// Share of calls that did not issue or warn (rejected, vendor error, upstream failure).
        public var errorRate: Double { calls == 0 ? 0 : Double(failures) / Double(calls) }

        /// The most used programs, most calls first.
        public func topPrograms(_ count: Int = 3) -> [(program: Int64, calls: Int)] {
            programs.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(count)
                .map { ($0.key, $0.value) }
        }

        /// The most used sources, most calls first.
        public func topSources(_ count: Int = 3) -> [(source: String, calls: Int)] {
            sources.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(count)
                .map { ($0.key, $0.value) }
        }
    }

    public private(set) var clients: [String: Client] = [:]
    public private(set) var callsPerDay: [String: Int] = [:]
    public private(set) var outcomes: [String: Int] = [:]
    /// Lines that were not usage records (torn or foreign lines), skipped.
    public var skippedLines = 0
    /// Only records at or after this RFC 3339 date or time count; `nil` counts all.
    public let since: String?
    /// Most distinct customers remembered per client (a long-running dashboard must stay bounded);
    /// beyond it the count is a lower bound.
    public let maxCustomersPerClient: Int

    public init(since: String? = nil, maxCustomersPerClient: Int = .max) {
        self.since = since
        self.maxCustomersPerClient = maxCustomersPerClient
    }

    public var totalCalls: Int { callsPerDay.values.reduce(0, +) }

    /// Adds one record.
    public mutating func add(_ line: UsageLine) {
        if let since, line.timestamp < since { return }
        let day = String(line.day)
        callsPerDay[day, default: 0] += 1
        outcomes[line.outcome, default: 0] += 1
        let failed = line.outcome != "issued" && line.outcome != "warning"
        if clients[line.client] == nil {
            clients[line.client] = Client(name: line.client, firstSeen: line.timestamp, lastSeen: line.timestamp)
        }
        clients[line.client]!.record(line, day: day, failed: failed, maxCustomers: maxCustomersPerClient)
    }

    /// Adds everything another summary counted (e.g. a usage log read beside live traffic).
    public mutating func merge(_ other: UsageSummary) {
        for (day, calls) in other.callsPerDay { callsPerDay[day, default: 0] += calls }
        for (outcome, calls) in other.outcomes { outcomes[outcome, default: 0] += calls }
        skippedLines += other.skippedLines
        for (name, client) in other.clients {
            guard var mine = clients[name] else {
                clients[name] = client
                continue
            }
            mine.calls += client.calls
            mine.failures += client.failures
            mine.customers.formUnion(client.customers)
            mine.firstSeen = min(mine.firstSeen, client.firstSeen)
            mine.lastSeen = max(mine.lastSeen, client.lastSeen)
            mine.programs.merge(client.programs, uniquingKeysWith: +)
            mine.sources.merge(client.sources, uniquingKeysWith: +)
            mine.callsPerDay.merge(client.callsPerDay, uniquingKeysWith: +)
            clients[name] = mine
        }
    }

    /// Clients by calls, most first.
    public var clientsByCalls: [Client] {
        clients.values.sorted { $0.calls != $1.calls ? $0.calls > $1.calls : $0.name < $1.name }
    }

    /// Every day from the first to the last with its calls (days without calls count 0).
    public var dailySeries: [(day: String, calls: Int)] {
        guard let first = callsPerDay.keys.min(), let last = callsPerDay.keys.max() else { return [] }
        return Days.range(from: first, to: last).map { ($0, callsPerDay[$0] ?? 0) }
    }

    /// The trend of calls per day.
    public var trend: Trend { Trend(series: dailySeries) }
}

extension UsageSummary.Client {
    fileprivate mutating func record(_ line: UsageLine, day: String, failed: Bool, maxCustomers: Int) {
        calls += 1
        if failed { failures += 1 }
        if let customer = line.customer, customers.count < maxCustomers { customers.insert(customer) }
        if line.timestamp < firstSeen { firstSeen = line.timestamp }
        if line.timestamp > lastSeen { lastSeen = line.timestamp }
        if let program = line.programId { programs[program, default: 0] += 1 }
        if let source = line.source { sources[source, default: 0] += 1 }
        callsPerDay[day, default: 0] += 1
    }
}
