import ShimCore

extension UsageSummary {
    /// The figures of one client.
    package struct Client: Sendable {
        /// The client as in the usage log (a user name or an OAuth token digest), or `other`.
        package var name: String
        /// Calls counted.
        package var calls = 0
        /// Calls that did not issue or warn.
        package var failures = 0
        /// Distinct customer hashes, up to the summary's cap.
        package var customers: Set<String> = []
        /// The first call, in milliseconds since the Unix epoch.
        package var firstSeenMilliseconds: Int64
        /// The last call, in milliseconds since the Unix epoch.
        package var lastSeenMilliseconds: Int64
        /// Calls per program id.
        package var programs: [Int64: Int] = [:]
        /// Calls per source.
        package var sources: [String: Int] = [:]
        /// Calls per UTC day, keyed by days since 1970-01-01.
        package var callsPerDay: [Int: Int] = [:]
        /// Calls refused by an enforcing brownout window (outcome `brownout`).
        package var brownoutRefusals = 0
        /// Calls refused after the sunset date (outcome `sunset`).
        package var sunsetRefusals = 0
        /// Calls served that a dry-run window or the sunset rule would have refused (`wouldReject`).
        package var wouldBeRefusals = 0

        /// A client first seen at `milliseconds`.
        package init(name: String, at milliseconds: Int64) {
            self.name = name
            self.firstSeenMilliseconds = milliseconds
            self.lastSeenMilliseconds = milliseconds
        }

        /// The first call, RFC 3339.
        package var firstSeen: String { RFC3339.format(epochMilliseconds: firstSeenMilliseconds) }
        /// The last call, RFC 3339.
        package var lastSeen: String { RFC3339.format(epochMilliseconds: lastSeenMilliseconds) }

        /// Share of calls that did not issue or warn (refused, vendor error, upstream failure).
        package var errorRate: Double { calls == 0 ? 0 : Double(failures) / Double(calls) }

        /// The most used programs, most calls first.
        package func topPrograms(_ count: Int = 3) -> [(program: Int64, calls: Int)] {
            programs.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(count)
                .map { ($0.key, $0.value) }
        }

        /// The most used sources, most calls first.
        package func topSources(_ count: Int = 3) -> [(source: String, calls: Int)] {
            sources.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(count)
                .map { ($0.key, $0.value) }
        }

        /// Calls on the UTC days `first...last` (days since 1970-01-01).
        package func calls(fromDay first: Int, toDay last: Int) -> Int {
            guard first <= last else { return 0 }
            if last - first < callsPerDay.count {
                return (first...last).reduce(0) { $0 + (callsPerDay[$1] ?? 0) }
            }
            return callsPerDay.reduce(0) { $0 + ((first...last).contains($1.key) ? $1.value : 0) }
        }

        mutating func addCustomers(_ more: Set<String>, maxCustomers: Int) {
            guard customers.count + more.count > maxCustomers else {
                customers.formUnion(more)
                return
            }
            for customer in more where customers.count < maxCustomers {
                customers.insert(customer)
            }
        }

        mutating func record(_ record: UsageRecord, day: Int, maxCustomers: Int) {
            calls += 1
            switch record.outcome {
            case .issued, .warning: break
            case .brownout:
                failures += 1
                brownoutRefusals += 1
            case .sunset:
                failures += 1
                sunsetRefusals += 1
            default: failures += 1
            }
            if record.wouldReject != nil { wouldBeRefusals += 1 }
            if let customer = record.customer, customers.count < maxCustomers { customers.insert(customer) }
            firstSeenMilliseconds = min(firstSeenMilliseconds, record.timestampMilliseconds)
            lastSeenMilliseconds = max(lastSeenMilliseconds, record.timestampMilliseconds)
            if let program = record.programId { programs[program, default: 0] += 1 }
            if let source = record.source { sources[source, default: 0] += 1 }
            callsPerDay[day, default: 0] += 1
        }

        mutating func merge(_ other: Client, maxCustomers: Int) {
            calls += other.calls
            failures += other.failures
            brownoutRefusals += other.brownoutRefusals
            sunsetRefusals += other.sunsetRefusals
            wouldBeRefusals += other.wouldBeRefusals
            addCustomers(other.customers, maxCustomers: maxCustomers)
            firstSeenMilliseconds = min(firstSeenMilliseconds, other.firstSeenMilliseconds)
            lastSeenMilliseconds = max(lastSeenMilliseconds, other.lastSeenMilliseconds)
            programs.merge(other.programs, uniquingKeysWith: +)
            sources.merge(other.sources, uniquingKeysWith: +)
            callsPerDay.merge(other.callsPerDay, uniquingKeysWith: +)
        }
    }
}
