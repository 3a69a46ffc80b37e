import ShimCore
import Testing

@Suite("Reading usage records")
struct UsageRecordReadingTests {
    private func written(_ record: UsageRecord) -> [UInt8] {
        var writer = JSONWriter()
        record.jsonLine(into: &writer)
        return Array(writer.bytes.dropLast())
    }

    @Test("A line the shim wrote is read back as the same record, every field")
    func roundTrip() throws {
        let records = [
            UsageRecord(
                timestampMilliseconds: 1_764_000_000_123, requestId: "r-1", client: "till \"7\"", userAgent: "ua\\x",
                remoteAddress: "10.0.0.1", programId: 469, promotionId: 65777, source: "INSTORE", identifierName: "mobile",
                customer: "00ff00ff00ff00ff", outcome: .warning, codes: [8890, 8891], upstreamStatus: 200,
                latencyMilliseconds: 4.848, upstreamLatencyMilliseconds: 0.75, route: "translate", batchId: "b-9",
                batchSize: 12, mayHaveBeenIssued: true, wouldReject: .brownout
            ),
            UsageRecord(
                timestampMilliseconds: 0, requestId: "r-2", client: "anonymous", outcome: .sunset, latencyMilliseconds: 0.001),
            UsageRecord(
                timestampMilliseconds: 1_790_812_800_999, requestId: "r-3", client: "pos", customer: nil,
                outcome: .upstreamFailure,
                codes: [9911], latencyMilliseconds: 1234.5, mayHaveBeenIssued: true
            ),
        ]
        for record in records {
            #expect(UsageRecord(jsonLine: written(record)) == record)
        }
    }

    @Test("Nulls read as absent values; a missing request id and latency read as empty and zero")
    func nullsAndDefaults() throws {
        let text =
            #"{"ts":"2026-11-01T00:00:00.000Z","client":"anonymous","programId":null,"source":null,"customer":null,"outcome":"rejected","codes":[11013]}"#
        let record = try #require(UsageRecord(jsonLine: Array(text.utf8)))
        #expect(record.programId == nil && record.source == nil && record.customer == nil)
        #expect(record.requestId == "" && record.latencyMilliseconds == 0)
        #expect(record.codes == [11013])
        #expect(record.timestampMilliseconds == RFC3339.milliseconds("2026-11-01"))
    }

    @Test("An outcome this version does not know is told apart from an unreadable line")
    func unknownOutcome() {
        let text = #"{"ts":"2026-11-01T00:00:00.000Z","requestId":"r","client":"till","outcome":"quarantined","codes":[]}"#
        let content = Array(text.utf8).withUnsafeBytes { UsageRecord.read(jsonLine: $0) }
        #expect(content == .unknownOutcome("quarantined"))
        #expect(UsageRecord(jsonLine: Array(text.utf8)) == nil)
    }

    @Test(
        "Torn, foreign and empty lines are unreadable",
        arguments: [
            #"{"ts":"2026-11-01T00:00:00.000Z","client":"till","outco"#,
            #"{"ts":"2026-11-01T00:00:00.000Z","client":"till"}"#,
            #"{"ts":"2026-11-01T00:00:00.000Z","client":"till","outcome":"issued"} trailing"#,
            "not json at all",
            "",
            "{}",
            #"{"ts":"2026","client":"till","outcome":"issued"}"#,
        ]
    )
    func unreadable(text: String) {
        let content = Array(text.utf8).withUnsafeBytes { UsageRecord.read(jsonLine: $0) }
        #expect(content == .unreadable)
    }

    @Test("Old logs: an upstream failure with a timeout code counts as ambiguous without the mark")
    func ambiguousFallback() {
        func record(_ outcome: CallOutcome, _ codes: [Int], marked: Bool = false) -> UsageRecord {
            UsageRecord(
                timestampMilliseconds: 0, requestId: "r", client: "c", outcome: outcome, codes: codes, latencyMilliseconds: 0,
                mayHaveBeenIssued: marked)
        }
        #expect(record(.upstreamFailure, [9911]).isAmbiguous)
        #expect(record(.upstreamFailure, [9915]).isAmbiguous)
        #expect(!record(.upstreamFailure, [9920]).isAmbiguous)
        #expect(!record(.error, [9912]).isAmbiguous)
        #expect(record(.error, [9921], marked: true).isAmbiguous)
    }

    @Test(
        "RFC 3339 times and dates are read to the millisecond",
        arguments: [
            ("2026-11-24T01:02:03.456Z", 1_795_482_123_456 as Int64?),
            ("2026-11-24T01:02:03Z", 1_795_482_123_000),
            ("2026-11-24T01:02:03.4567891Z", 1_795_482_123_456),
            ("2026-11-24T02:02:03.456+01:00", 1_795_482_123_456),
            ("2026-11-24", 1_795_478_400_000),
            ("1969-12-31T23:59:59.999Z", -1),
            ("2026-11-24T01:02", nil),
            ("2026-13-01", nil),
            ("yesterday", nil),
        ]
    )
    func rfc3339(text: String, expected: Int64?) {
        #expect(RFC3339.milliseconds(text) == expected)
        if let expected, text.hasSuffix("Z"), text.count == 24 {
            #expect(RFC3339.format(epochMilliseconds: expected) == text)
        }
    }
}
