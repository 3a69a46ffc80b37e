import Foundation
import ShimCore
import ShimReport
import ShimServer
import Testing

/// The live `/deprecation` dashboard stays bounded, whatever callers invent and whatever the log held.
@Suite("Live usage dashboard bounds", .timeLimit(.minutes(2)))
struct LiveUsageTests {
    static func record(client: String, customer: String, at milliseconds: Int64 = 1_764_547_200_000) -> UsageRecord {
        UsageRecord(
            timestampMilliseconds: milliseconds, requestId: "r", client: client, programId: 469, source: "INSTORE",
            customer: customer, outcome: .error, codes: [], upstreamStatus: 401, latencyMilliseconds: 1
        )
    }

    @Test("At most 200 client names are kept; later names are counted as `other`")
    func clientNamesBounded() {
        let live = LiveUsage()
        for index in 0..<300 {
            live.add(Self.record(client: "made-up-\(index)", customer: "c\(index)"))
        }
        let summary = live.snapshot()
        #expect(summary.clients.count == ShimMetrics.maxClients + 1)
        #expect(summary.clients["other"]?.calls == 100)
        #expect(summary.clients["made-up-0"]?.calls == 1)
        #expect(summary.clients["made-up-250"] == nil)
        #expect(summary.totalCalls == 300)
        let page = live.page(now: 1_764_547_200_000)
        // Both the clients table and the contact list name each kept client once.
        let tables = page.components(separatedBy: "<table id=\"contacts\">")
        #expect(tables.count == 2)
        for table in tables {
            #expect(table.components(separatedBy: "<td class=\"client\">").count - 1 == ShimMetrics.maxClients + 1)
        }
    }

    @Test("The history read at start keeps the same per-client customer cap and client bound as live calls")
    func historyBounded() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("live-usage-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var lines = ""
        for index in 0..<40 {
            var writer = JSONWriter()
            Self.record(client: "till", customer: "customer-\(index)").jsonLine(into: &writer)
            lines += String(decoding: writer.bytes, as: UTF8.self)
        }
        for index in 0..<10 {
            var writer = JSONWriter()
            Self.record(client: "hist-\(index)", customer: "x").jsonLine(into: &writer)
            lines += String(decoding: writer.bytes, as: UTF8.self)
        }
        try lines.write(toFile: path, atomically: true, encoding: .utf8)
        let live = LiveUsage(maxClients: 4, maxCustomersPerClient: 25)
        live.add(Self.record(client: "live-1", customer: "y"))
        live.add(Self.record(client: "live-2", customer: "y"))
        try live.load(usageLog: path, upTo: lines.utf8.count)
        let summary = live.snapshot()
        #expect(summary.clients["till"]?.calls == 40)
        #expect(summary.clients["till"]?.customers.count == 25)
        #expect(summary.clients.count <= 5)
        #expect(summary.clients["other"] != nil)
        #expect(summary.totalCalls == 52)
    }

    @Test("The page shows the days left to the sunset date and the contact list, as of the moment it is rendered")
    func sunsetAndContacts() throws {
        // Sunset 2025-12-31; calls on 2025-12-01 (the records' day) from till (3) and pos (1, a brownout refusal).
        let sunset = try #require(ISO8601DateFormatter().date(from: "2025-12-31T00:00:00Z"))
        let live = LiveUsage(sunsetDate: sunset)
        for index in 0..<3 { live.add(Self.record(client: "till", customer: "c\(index)")) }
        var refused = Self.record(client: "pos", customer: "p")
        refused.outcome = .brownout
        refused.wouldReject = nil
        live.add(refused)
        let now: Int64 = 1_764_547_200_000 + 86_400_000  // 2025-12-02, a day without calls: both fall to zero that day
        let page = live.page(now: now)
        #expect(page.contains("<b id=\"days-to-sunset\">29</b>"))
        #expect(page.contains("<table id=\"contacts\">"))
        #expect(
            page.contains(
                "<tr><td class=\"client\">till</td><td>2025-12-01T00:00:00.000Z</td><td class=\"num\">3</td><td class=\"num\">3</td>"
                    + "<td class=\"projection on_track\">on track, zero by 2025-12-02</td>"
            )
        )
        #expect(
            page.contains(
                "<tr><td class=\"client\">pos</td><td>2025-12-01T00:00:00.000Z</td><td class=\"num\">1</td><td class=\"num\">1</td>"
                    + "<td class=\"projection on_track\">on track, zero by 2025-12-02</td>"
                    + "<td class=\"num\">1</td><td class=\"num\">0</td><td class=\"num\">0</td></tr>"
            )
        )
        #expect(LiveUsage().page(now: now).contains("<b id=\"days-to-sunset\">–</b>"))
    }
}
