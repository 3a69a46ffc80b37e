import ShimCore
import ShimReport
import Testing

@Suite("Reading usage lines")
struct UsageLineTests {
    @Test("A line the shim wrote is read back field for field")
    func roundTrip() throws {
        let record = UsageRecord(
            timestampMilliseconds: 1_764_000_000_123, requestId: "r-1", client: "till \"7\"", userAgent: "ua\\x",
            remoteAddress: "10.0.0.1", programId: 469, promotionId: 65777, source: "INSTORE", identifierName: "mobile",
            customer: "00ff00ff00ff00ff", outcome: .warning, codes: [8890], upstreamStatus: 200, latencyMilliseconds: 1.5,
            upstreamLatencyMilliseconds: 0.75
        )
        var writer = JSONWriter()
        record.jsonLine(into: &writer)
        let line = try #require(UsageLine(writer.bytes.dropLast()))
        #expect(line.timestamp == "2025-11-24T16:00:00.123Z")
        #expect(line.client == "till \"7\"")
        #expect(line.programId == 469)
        #expect(line.source == "INSTORE")
        #expect(line.customer == "00ff00ff00ff00ff")
        #expect(line.outcome == "warning")
        #expect(line.day == "2025-11-24")
    }

    @Test("Nulls are read as absent values")
    func nulls() throws {
        let text = #"{"ts":"2026-11-01T00:00:00.000Z","client":"anonymous","programId":null,"source":null,"customer":null,"outcome":"rejected","codes":[11013]}"#
        let line = try #require(UsageLine(Array(text.utf8)))
        #expect(line.programId == nil)
        #expect(line.source == nil)
        #expect(line.customer == nil)
    }

    @Test(
        "Torn, foreign and empty lines are refused",
        arguments: [
            #"{"ts":"2026-11-01T00:00:00.000Z","client":"till","outco"#,
            #"{"ts":"2026-11-01T00:00:00.000Z","client":"till"}"#,
            "not json at all",
            "",
            "{}",
            #"{"ts":"2026","client":"till","outcome":"issued"}"#,
        ]
    )
    func refused(text: String) {
        #expect(UsageLine(Array(text.utf8)) == nil)
    }
}
