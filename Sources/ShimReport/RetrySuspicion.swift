package import ShimCore

/// Do callers retry? Per client: calls that repeated the same customer, program and promotion within
/// a window of the previous such call (and how many of those followed a failed answer), and calls
/// whose request id had already come within the window.
///
/// Memory stays bounded by the traffic of about two windows, not by the log: only the last call per
/// key is remembered, and keys older than twice the window before the newest record read are
/// forgotten. The log is assumed in time order up to a window's worth of skew (the usage logs of
/// several replicas read one after the other, or merged line by line, qualify); a repeat further
/// apart in reading order than that may be missed, never invented, because times are compared, not
/// positions. Calls without a customer hash (refused before validation) have no customer key; their
/// request ids still count.
package struct RetrySuspicion: Sendable {
    /// The figures of one client.
    package struct Counts: Sendable, Equatable {
        /// Calls with a customer hash (the ones a repeat can be recognised in).
        package var calls = 0
        /// Calls of the same customer, program and promotion within the window of the previous one.
        package var repeats = 0
        /// Of ``repeats``, those whose previous call's answer was a failure (not issued, not a warning).
        package var repeatsAfterFailure = 0
        /// Calls whose request id had come within the window before.
        package var duplicateRequestIds = 0

        /// No figures.
        package init() {}

        mutating func add(withCustomer: Bool, repeated: Bool, afterFailure: Bool, duplicate: Bool) {
            if withCustomer { calls += 1 }
            if repeated { repeats += 1 }
            if afterFailure { repeatsAfterFailure += 1 }
            if duplicate { duplicateRequestIds += 1 }
        }
    }

    private struct CallKey: Hashable {
        var client: String
        var customer: String
        var programId: Int64?
        var promotionId: Int64?
    }

    private struct LastCall {
        var milliseconds: Int64
        var failed: Bool
    }

    /// The default window: 60 s.
    package static let defaultWindowMilliseconds: Int64 = 60_000
    /// How close a repeat must follow, in milliseconds.
    package let windowMilliseconds: Int64
    /// Figures per client (the summary's bounded client names).
    package private(set) var perClient: [String: Counts] = [:]
    private var lastCalls: [CallKey: LastCall] = [:]
    private var lastRequests: [String: Int64] = [:]
    private var newest = Int64.min
    private var nextEviction = 4096
    /// Log time before which no eviction runs (set while the memory is full).
    private var nextEvictionTime = Int64.min

    /// Most calls and request ids remembered at once (the live dashboard's hard bound); `.max` for
    /// the report, whose memory follows the traffic of about two windows.
    package let maxRemembered: Int

    /// Counts repeats within `windowMilliseconds`, remembering at most `maxRemembered` recent calls
    /// and request ids.
    package init(windowMilliseconds: Int64 = defaultWindowMilliseconds, maxRemembered: Int = .max) {
        self.windowMilliseconds = max(0, windowMilliseconds)
        self.maxRemembered = max(1, maxRemembered)
    }

    /// Keys remembered now (for tests of the bound).
    package var rememberedKeys: Int { lastCalls.count + lastRequests.count }

    /// Figures over every client.
    package var total: Counts {
        perClient.values.reduce(into: Counts()) { total, counts in
            total.calls += counts.calls
            total.repeats += counts.repeats
            total.repeatsAfterFailure += counts.repeatsAfterFailure
            total.duplicateRequestIds += counts.duplicateRequestIds
        }
    }

    /// Clients by repeats, most first, then by request ids seen twice, then by name.
    package var clientsByRepeats: [(client: String, counts: Counts)] {
        perClient.map { (client: $0.key, counts: $0.value) }.sorted {
            if $0.counts.repeats != $1.counts.repeats { return $0.counts.repeats > $1.counts.repeats }
            if $0.counts.duplicateRequestIds != $1.counts.duplicateRequestIds {
                return $0.counts.duplicateRequestIds > $1.counts.duplicateRequestIds
            }
            return $0.client < $1.client
        }
    }

    /// The window in seconds, as shown: `60`, `2.5` or `0.01`.
    package var windowText: String {
        let fraction = String(windowMilliseconds % 1000)
        let padded = String(repeating: "0", count: 3 - fraction.count) + fraction
        let trimmed = padded.reversed().drop { $0 == "0" }.reversed()
        return trimmed.isEmpty ? String(windowMilliseconds / 1000) : "\(windowMilliseconds / 1000).\(String(trimmed))"
    }

    /// Adds a call of `client` (the summary's name for the record's client).
    package mutating func add(_ record: UsageRecord, client: String) {
        let time = record.timestampMilliseconds
        newest = max(newest, time)
        // Under the bound, one hash per dictionary and record (updateValue returns what it replaced);
        // at the bound, only what is remembered already is compared and refreshed.
        let room = rememberedKeys < maxRemembered
        var duplicate = false
        if !record.requestId.isEmpty {
            let previous = room ? lastRequests.updateValue(time, forKey: record.requestId) : lastRequests[record.requestId]
            if let previous {
                duplicate = abs(time - previous) <= windowMilliseconds
                lastRequests[record.requestId] = max(previous, time)
            }
        }
        var repeated = false
        var afterFailure = false
        if let customer = record.customer {
            let key = CallKey(client: client, customer: customer, programId: record.programId, promotionId: record.promotionId)
            let failed = record.outcome != .issued && record.outcome != .warning
            let call = LastCall(milliseconds: time, failed: failed)
            let callRoom = rememberedKeys < maxRemembered
            let previous = callRoom ? lastCalls.updateValue(call, forKey: key) : lastCalls[key]
            if let previous {
                if !callRoom { lastCalls[key] = call }
                if abs(time - previous.milliseconds) <= windowMilliseconds {
                    repeated = true
                    afterFailure = previous.failed
                }
            }
        }
        perClient[client, default: Counts()].add(
            withCustomer: record.customer != nil, repeated: repeated, afterFailure: afterFailure, duplicate: duplicate
        )
        if rememberedKeys >= nextEviction, time >= nextEvictionTime { evict() }
    }

    /// Forgets the keys older than twice the window before the newest call; the next eviction comes
    /// when the memory has doubled again, so the work stays proportional to the calls read.
    /// At the bound, the next eviction waits for a tenth of a window of log time, so a full memory
    /// is swept now and then, not on every call.
    private mutating func evict() {
        let horizon = newest - 2 * windowMilliseconds
        lastCalls = lastCalls.filter { $0.value.milliseconds >= horizon }
        lastRequests = lastRequests.filter { $0.value >= horizon }
        let doubled = rememberedKeys > maxRemembered / 2 ? maxRemembered : 2 * rememberedKeys
        nextEviction = min(maxRemembered, max(4096, doubled))
        nextEvictionTime = rememberedKeys >= nextEviction ? newest + max(1, windowMilliseconds / 10) : .min
    }

    /// Adds another summary's figures (`renamed` maps its client names to this summary's). Its
    /// remembered keys are not carried over: a repeat across the two is not counted.
    mutating func merge(_ other: RetrySuspicion, renamed: [String: String]) {
        for (client, counts) in other.perClient {
            let name = renamed[client] ?? client
            var mine = perClient[name] ?? Counts()
            mine.calls += counts.calls
            mine.repeats += counts.repeats
            mine.repeatsAfterFailure += counts.repeatsAfterFailure
            mine.duplicateRequestIds += counts.duplicateRequestIds
            perClient[name] = mine
        }
    }
}
