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
    /// Most client names kept (callers can invent user names); the calls of later names are counted
    /// under ``otherClient``.
    public let maxClients: Int
    /// The name the calls of clients beyond ``maxClients`` are counted under, as in the metrics.
    public static let otherClient = "other"

    public init(since: String? = nil, maxCustomersPerClient: Int = .max, maxClients: Int = .max) {
        self.since = since
        self.maxCustomersPerClient = maxCustomersPerClient
        self.maxClients = maxClients
    }

    public var totalCalls: Int { callsPerDay.values.reduce(0, +) }

    /// Adds one record.
    public mutating func add(_ line: UsageLine) {
        if let since, line.timestamp < since { return }
        let day = String(line.day)
        callsPerDay[day, default: 0] += 1
        outcomes[line.outcome, default: 0] += 1
        let failed = line.outcome != "issued" && line.outcome != "warning"
        let name = boundedName(line.client)
        if clients[name] == nil {
            clients[name] = Client(name: name, firstSeen: line.timestamp, lastSeen: line.timestamp)
        }
        clients[name]!.record(line, day: day, failed: failed, maxCustomers: maxCustomersPerClient)
    }

    /// `name` while it is known or there is room for it, else ``otherClient``.
    private func boundedName(_ name: String) -> String {
        if clients[name] != nil { return name }
        let named = clients.count - (clients[Self.otherClient] == nil ? 0 : 1)
        return named < maxClients ? name : Self.otherClient
    }

    /// Adds everything another summary counted (e.g. a usage log read beside live traffic), within
    /// this summary's bounds: the busiest clients keep their names, the rest go to ``otherClient``.
    public mutating func merge(_ other: UsageSummary) {
        for (day, calls) in other.callsPerDay { callsPerDay[day, default: 0] += calls }
        for (outcome, calls) in other.outcomes { outcomes[outcome, default: 0] += calls }
        skippedLines += other.skippedLines
        for client in other.clientsByCalls {
            let name = client.name == Self.otherClient ? client.name : boundedName(client.name)
            guard var mine = clients[name] else {
                var adopted = client
                adopted.name = name
                adopted.customers = []
                adopted.addCustomers(client.customers, maxCustomers: maxCustomersPerClient)
                clients[name] = adopted
                continue
            }
            mine.calls += client.calls
            mine.failures += client.failures
            mine.addCustomers(client.customers, maxCustomers: maxCustomersPerClient)
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
    fileprivate mutating func addCustomers(_ more: Set<String>, maxCustomers: Int) {
        guard customers.count + more.count > maxCustomers else {
            customers.formUnion(more)
            return
        }
        for customer in more where customers.count < maxCustomers {
            customers.insert(customer)
        }
    }

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
