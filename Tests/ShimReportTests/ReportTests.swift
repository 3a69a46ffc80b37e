import CompressNIO
import Foundation
import NIOCore
import ShimCore
import ShimReport
import Testing

@Suite("Reports")
struct ReportTests {
    static let lines = [
        #"{"ts":"2026-11-01T08:00:00.000Z","requestId":"1","client":"till","programId":469,"source":"INSTORE","customer":"c1","outcome":"issued","codes":[]}"#,
        #"{"ts":"2026-11-02T08:00:00.000Z","requestId":"2","client":"<script>alert(1)</script>","programId":469,"source":"INSTORE","customer":"c2","outcome":"error","codes":[8015]}"#,
        #"{"ts":"2026-11-02T09:00:00.000Z","requestId":"3","client":"=cmd|' /C calc'!A0","programId":2750,"source":"WEBSITE","customer":"c2","outcome":"issued","codes":[]}"#,
    ]

    static func write(_ text: String, suffix: String = ".log") throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID().uuidString)\(suffix)").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("Plain and gzip-compressed logs are read together; a torn last line is skipped")
    func readsPlainAndGzip() throws {
        let plain = try Self.write(Self.lines[0] + "\n" + Self.lines[1] + "\n" + #"{"ts":"2026-11-02T10:0"#)
        var buffer = ByteBuffer(string: Self.lines[2] + "\n")
        let compressed = try buffer.compress(with: .gzip)
        let gzPath = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID().uuidString).log.1.gz").path
        try Data(compressed.readableBytesView).write(to: URL(fileURLWithPath: gzPath))
        defer {
            try? FileManager.default.removeItem(atPath: plain)
            try? FileManager.default.removeItem(atPath: gzPath)
        }
        var summary = UsageSummary()
        try UsageLogReader.read([plain, gzPath], into: &summary)
        #expect(summary.totalCalls == 3)
        #expect(summary.skippedLines == 1)
        #expect(summary.clients.count == 3)
    }

    @Test("A missing file is an error, not an empty report")
    func missingFile() {
        var summary = UsageSummary()
        #expect(throws: UsageLogReader.ReadError.self) {
            try UsageLogReader.read(["/nonexistent/usage.log"], into: &summary)
        }
    }

    static func summary() -> UsageSummary {
        var summary = UsageSummary()
        for line in lines { summary.add(UsageRecord(jsonLine: Array(line.utf8))!) }
        return summary
    }

    @Test("HTML is self-contained, escapes client names and charts every client")
    func html() {
        let html = ReportFormat.html.render(Self.summary(), generatedAt: "2026-11-24T00:00:00.000Z")
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(!html.contains("<script"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!html.contains("http://") && !html.contains("src="))
        #expect(html.contains("<svg"))
        #expect(html.contains("<td class=\"client\">till</td>"))
    }

    @Test("CSV quotes cells and defuses spreadsheet formulas")
    func csv() {
        let csv = ReportFormat.csv.render(Self.summary(), generatedAt: "")
        let rows = csv.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(rows[0] == "client,calls,distinct_customers,first_seen,last_seen,error_rate,top_programs,top_sources")
        #expect(csv.contains("'=cmd|' /C calc'!A0"))
        #expect(!csv.contains(",=cmd"))
        #expect(csv.contains("day,calls\n2026-11-01,1\n2026-11-02,2\n"))
    }

    @Test("JSON carries clients, days, trend and outcomes")
    func json() throws {
        let text = ReportFormat.json.render(Self.summary(), generatedAt: "2026-11-24T00:00:00.000Z")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["totalCalls"] as? Int == 3)
        #expect((object["clients"] as? [[String: Any]])?.count == 3)
        #expect((object["days"] as? [[String: Any]])?.map { $0["calls"] as? Int } == [1, 2])
        #expect((object["trend"] as? [String: Any])?["verdict"] as? String == "rising")
        #expect((object["outcomes"] as? [String: Int]) == ["issued": 2, "error": 1])
    }

    @Test("The table names each client with its figures")
    func table() {
        let table = ReportFormat.table.render(Self.summary(), generatedAt: "")
        #expect(table.contains("3 calls from 3 clients"))
        #expect(table.contains("till"))
        #expect(table.contains("Trend: rising"))
    }
}
