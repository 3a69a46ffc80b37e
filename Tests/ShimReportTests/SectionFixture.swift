import Foundation
import ShimCore
import ShimReport

/// A generated usage log whose contact list, calls to reconcile and suspected retries are known
/// exactly (the figures the section tests assert are worked out in the comments).
enum SectionFixture {
    /// 2026-11-25: five days after the newest record's day.
    static let sunset = RFC3339.milliseconds("2026-11-25")!

    static func day(_ offset: Int) -> Int64 { RFC3339.milliseconds("2026-11-11")! + Int64(offset) * 86_400_000 }

    /// - till: 10, 9, ... 1 calls on 2026-11-11 ... 11-20, 20 s apart from 01:00: falls by one a day,
    ///   zero on 11-21 (on track for 11-25); last 7 days (11-14 ... 11-20) 28 calls, 30 days 55. On
    ///   11-19 its first call is an old-style timeout (9912, no mark: ambiguous) and its second a 9920
    ///   failure (not ambiguous) reusing the first's request id 20 s later (a request id twice).
    /// - pos: 20, 19, ... 11 calls on the same days, 10 min apart from 02:00: zero on 12-01, six days
    ///   after the sunset; last 7 days 98, 30 days 155. On 11-20 its first two calls are brownout
    ///   refusals (no customer), the next three dry-run would-be refusals, the sixth a marked timeout.
    /// - kiosk: two calls on 11-19 (customer c-k, 30 s apart, the first a vendor error: a repeat after a
    ///   failure) and two on 11-20 (c-k2, 90 s apart: outside the 60 s window). Flat: no decline.
    /// - old: one call on 2026-10-01: stopped.
    static var records: [UsageRecord] {
        var records: [UsageRecord] = []
        func add(_ client: String, _ time: Int64, _ requestId: String, _ customer: String?, _ outcome: CallOutcome = .issued) {
            records.append(
                UsageRecord(
                    timestampMilliseconds: time, requestId: requestId, client: client, programId: 469, promotionId: 65777,
                    source: "INSTORE", identifierName: "mobile", customer: customer, outcome: outcome,
                    latencyMilliseconds: 2
                )
            )
        }
        for offset in 0..<10 {
            for call in 0..<(10 - offset) {
                add("till", day(offset) + 3_600_000 + Int64(call) * 20_000, "till-\(offset)-\(call)", "c-till-\(offset)-\(call)")
                if offset == 8, call == 0 {
                    records[records.count - 1].outcome = .upstreamFailure
                    records[records.count - 1].codes = [9912]
                }
                if offset == 8, call == 1 {
                    records[records.count - 1].outcome = .upstreamFailure
                    records[records.count - 1].codes = [9920]
                    records[records.count - 1].requestId = "till-8-0"
                }
            }
            for call in 0..<(20 - offset) {
                add("pos", day(offset) + 7_200_000 + Int64(call) * 600_000, "pos-\(offset)-\(call)", "c-pos-\(offset)-\(call)")
                guard offset == 9 else { continue }
                switch call {
                case 0, 1:
                    records[records.count - 1].outcome = .brownout
                    records[records.count - 1].codes = [9930]
                    records[records.count - 1].customer = nil
                case 2, 3, 4: records[records.count - 1].wouldReject = .brownout
                case 5:
                    records[records.count - 1].outcome = .upstreamFailure
                    records[records.count - 1].codes = [9911]
                    records[records.count - 1].mayHaveBeenIssued = true
                default: break
                }
            }
        }
        add("kiosk", day(8), "k-1", "c-k", .error)
        add("kiosk", day(8) + 30_000, "k-2", "c-k")
        add("kiosk", day(9), "k-3", "c-k2")
        add("kiosk", day(9) + 90_000, "k-4", "c-k2")
        add("old", RFC3339.milliseconds("2026-10-01")!, "o-1", "c-o")
        return records
    }

    /// The records written as a usage log (plus one torn line and one of an unknown outcome), read back.
    static func summary(retryWindowMilliseconds: Int64 = 60_000, maxAmbiguousCalls: Int = 100) throws -> UsageSummary {
        var writer = JSONWriter(capacity: 1 << 16)
        for record in records { record.jsonLine(into: &writer) }
        var text = String(decoding: writer.bytes, as: UTF8.self)
        text += #"{"ts":"2026-11-20T05:00:00.000Z","requestId":"x","client":"till","outcome":"quarantined","codes":[]}"# + "\n"
        text += #"{"ts":"2026-11-20T05:00:0"# + "\n"
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sections-\(UUID().uuidString).jsonl").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var summary = UsageSummary(maxAmbiguousCalls: maxAmbiguousCalls, retryWindowMilliseconds: retryWindowMilliseconds)
        try UsageLogReader.read([path], into: &summary)
        return summary
    }
}
