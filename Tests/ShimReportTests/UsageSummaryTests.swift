import Foundation
import ShimCore
import ShimReport
import Testing

@Suite("Summarising usage")
struct UsageSummaryTests {
    static func line(
        _ day: String, _ client: String, customer: String, outcome: CallOutcome = .issued, program: Int64 = 469,
        source: String = "INSTORE"
    ) -> UsageRecord {
        UsageRecord(
            timestampMilliseconds: RFC3339.milliseconds("\(day)T10:00:00.000Z")!, requestId: "\(day)-\(client)-\(customer)",
            client: client, programId: program, source: source, customer: customer, outcome: outcome, latencyMilliseconds: 1
        )
    }

    @Test("Per client: calls, distinct customers, first and last seen, error rate, top programs and sources")
    func perClient() throws {
        var summary = UsageSummary()
        summary.add(Self.line("2026-11-01", "till", customer: "a"))
        summary.add(Self.line("2026-11-02", "till", customer: "a", outcome: .error, program: 2750))
        summary.add(Self.line("2026-11-03", "till", customer: "b", outcome: .warning, source: "WEBSITE"))
        summary.add(Self.line("2026-11-03", "pos", customer: "a", outcome: .upstreamFailure))
        let till = try #require(summary.clients["till"])
        #expect(till.calls == 3)
        #expect(till.customers.count == 2)
        #expect(till.firstSeen == "2026-11-01T10:00:00.000Z")
        #expect(till.lastSeen == "2026-11-03T10:00:00.000Z")
        #expect(abs(till.errorRate - 1.0 / 3.0) < 1e-9)
        #expect(till.topPrograms().map(\.program) == [469, 2750])
        #expect(till.topSources().map(\.source) == ["INSTORE", "WEBSITE"])
        #expect(summary.clients["pos"]?.errorRate == 1)
        #expect(summary.clientsByCalls.map(\.name) == ["till", "pos"])
        #expect(summary.outcomes == ["issued": 1, "error": 1, "warning": 1, "upstream_failure": 1])
    }

    @Test("Days without calls count as zero, and --since drops earlier calls")
    func daysAndSince() {
        var summary = UsageSummary(since: "2026-11-02")
        summary.add(Self.line("2026-11-01", "till", customer: "a"))
        summary.add(Self.line("2026-11-02", "till", customer: "a"))
        summary.add(Self.line("2026-11-05", "till", customer: "a"))
        #expect(summary.totalCalls == 2)
        #expect(summary.dailySeries.map(\.day) == ["2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05"])
        #expect(summary.dailySeries.map(\.calls) == [1, 0, 0, 1])
    }

    @Test("--since accepts a shorter time prefix, meaning its earliest instant")
    func sincePrefix() {
        var summary = UsageSummary(since: "2026-11-02T10")
        summary.add(Self.line("2026-11-02", "till", customer: "a"))
        summary.add(
            UsageRecord(
                timestampMilliseconds: RFC3339.milliseconds("2026-11-02T09:59:59.999Z")!, requestId: "early", client: "till",
                outcome: .issued, latencyMilliseconds: 1
            )
        )
        #expect(summary.totalCalls == 1)
        #expect(UsageSummary.earliestInstant("2026-11-02T10") == RFC3339.milliseconds("2026-11-02T10:00:00Z"))
        #expect(UsageSummary.earliestInstant("2026-11") == nil)
    }

    @Test("A falling series reaches zero on the day the fitted line does")
    func fallingTrend() {
        // 100, 90, ... 10 calls on ten days: slope -10/day, zero on the 11th day.
        let series = (0..<10).map { (day: String(format: "2026-10-%02d", 1 + $0), calls: 100 - 10 * $0) }
        let trend = Trend(series: series)
        #expect(trend.verdict == "falling")
        #expect(abs(trend.slopePerDay + 10) < 1e-9)
        #expect(trend.zeroDate == "2026-10-11")
    }

    @Test("A rising or single-day series has no zero date")
    func noZeroDate() {
        #expect(Trend(series: [("2026-10-01", 1), ("2026-10-02", 5)]).zeroDate == nil)
        #expect(Trend(series: [("2026-10-01", 1), ("2026-10-02", 5)]).verdict == "rising")
        #expect(Trend(series: [("2026-10-01", 3)]).verdict == "not enough days to tell")
    }

    @Test("The zero date crosses month and year ends")
    func calendar() {
        let trend = Trend(series: [("2026-12-30", 20), ("2026-12-31", 10)])
        #expect(trend.zeroDate == "2027-01-01")
    }
}
