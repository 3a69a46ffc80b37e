import Foundation
import ShimCore
import ShimReport
import Testing

/// The contact list, the calls to reconcile and the suspected retries, with the same figures in
/// every format (see ``SectionFixture`` for how they come about).
@Suite("Report sections in every format")
struct ReportSectionTests {
    static func context(_ section: CSVSection = .clients) -> ReportContext {
        ReportContext(generatedAt: "2026-11-21T00:00:00.000Z", sunsetMilliseconds: SectionFixture.sunset, csvSection: section)
    }

    @Test("table: the three sections with their figures")
    func table() throws {
        let text = ReportFormat.table.render(try SectionFixture.summary(), context: Self.context())
        #expect(text.contains("Contact list as of 2026-11-20 (sunset 2026-11-25, 5 days left)"))
        let lines = text.split(separator: "\n").map {
            $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        }
        #expect(lines.contains("pos 2026-11-20T03:40:00.000Z 98 155 projected to miss the sunset by 6 days 2 0 3"))
        #expect(lines.contains("till 2026-11-20T01:00:00.000Z 28 55 on track, zero by 2026-11-21 0 0 0"))
        #expect(lines.contains("kiosk 2026-11-20T00:01:30.000Z 4 4 no decline 0 0 0"))
        #expect(lines.contains("old 2026-10-01T00:00:00.000Z 0 0 stopped (no calls in 30 days) 0 0 0"))
        #expect(text.contains("Calls that may have been issued (reconcile with the vendor): 2"))
        #expect(lines.contains("2026-11-19T01:00:00.000Z till-8-0 till c-till-8-0 469 65777 upstream_failure 9912"))
        #expect(lines.contains("2026-11-20T02:50:00.000Z pos-9-5 pos c-pos-9-5 469 65777 upstream_failure 9911"))
        #expect(text.contains("Suspected retries (the same customer, program and promotion again within 60 s)"))
        #expect(lines.contains("kiosk 4 1 1 0"))
        #expect(lines.contains("till 55 0 0 1"))
        #expect(text.contains("Skipped 1 unreadable line(s)"))
        #expect(text.contains("Skipped 1 line(s) with an outcome this version does not know: quarantined 1"))
    }

    @Test("csv: --section picks one importable table; the default is the table from before sections")
    func csv() throws {
        let summary = try SectionFixture.summary()
        let clients = ReportFormat.csv.render(summary, context: Self.context())
        #expect(clients.hasPrefix("client,calls,distinct_customers,first_seen,last_seen,error_rate,top_programs,top_sources\n"))
        #expect(clients == ReportFormat.csv.render(summary, generatedAt: "x"))
        #expect(
            ReportFormat.csv.render(summary, context: Self.context(.contacts)) == """
                client,last_seen,calls_last_7_days,calls_last_30_days,projection,zero_date,days_after_sunset,brownout_refusals,sunset_refusals,dry_run_would_refuse
                pos,2026-11-20T03:40:00.000Z,98,155,misses_sunset,2026-12-01,6,2,0,3
                till,2026-11-20T01:00:00.000Z,28,55,on_track,2026-11-21,,0,0,0
                kiosk,2026-11-20T00:01:30.000Z,4,4,no_decline,,,0,0,0
                old,2026-10-01T00:00:00.000Z,0,0,stopped,,,0,0,0

                """
        )
        #expect(
            ReportFormat.csv.render(summary, context: Self.context(.ambiguous)) == """
                time,request_id,client,customer,program_id,promotion_id,outcome,codes
                2026-11-19T01:00:00.000Z,till-8-0,till,c-till-8-0,469,65777,upstream_failure,9912
                2026-11-20T02:50:00.000Z,pos-9-5,pos,c-pos-9-5,469,65777,upstream_failure,9911

                """
        )
        #expect(
            ReportFormat.csv.render(summary, context: Self.context(.retries)) == """
                client,calls_with_customer,repeats,repeats_after_failure,duplicate_request_ids,window_seconds
                kiosk,4,1,1,0,60
                till,55,0,0,1,60
                old,1,0,0,0,60
                pos,153,0,0,0,60

                """
        )
    }

    @Test("json: contacts, ambiguous and retries carry the same figures")
    func json() throws {
        let text = ReportFormat.json.render(try SectionFixture.summary(), context: Self.context())
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["referenceDay"] as? String == "2026-11-20")
        #expect(object["sunsetDate"] as? String == "2026-11-25")
        #expect(object["daysToSunset"] as? Int == 5)
        let contacts = try #require(object["contacts"] as? [[String: Any]])
        #expect(contacts.map { $0["client"] as? String } == ["pos", "till", "kiosk", "old"])
        #expect(contacts[0]["callsLast7Days"] as? Int == 98 && contacts[0]["callsLast30Days"] as? Int == 155)
        #expect(contacts[0]["projection"] as? String == "misses_sunset" && contacts[0]["daysAfterSunset"] as? Int == 6)
        #expect(contacts[0]["brownoutRefusals"] as? Int == 2 && contacts[0]["dryRunWouldRefuse"] as? Int == 3)
        #expect(contacts[1]["projection"] as? String == "on_track" && contacts[1]["zeroDate"] as? String == "2026-11-21")
        #expect(contacts[3]["projection"] as? String == "stopped" && contacts[3]["zeroDate"] is NSNull)
        let ambiguous = try #require(object["ambiguous"] as? [String: Any])
        #expect(ambiguous["total"] as? Int == 2 && ambiguous["omitted"] as? Int == 0)
        let calls = try #require(ambiguous["calls"] as? [[String: Any]])
        #expect(calls.map { $0["requestId"] as? String } == ["till-8-0", "pos-9-5"])
        #expect(calls[1]["customer"] as? String == "c-pos-9-5" && calls[1]["codes"] as? [Int] == [9911])
        #expect(calls[1]["ts"] as? String == "2026-11-20T02:50:00.000Z" && calls[1]["promotionId"] as? Int == 65777)
        let retries = try #require(object["retries"] as? [String: Any])
        #expect(retries["windowSeconds"] as? Double == 60)
        let perClient = try #require(retries["clients"] as? [[String: Any]])
        #expect(perClient[0]["client"] as? String == "kiosk" && perClient[0]["repeats"] as? Int == 1)
        #expect(perClient[0]["repeatsAfterFailure"] as? Int == 1)
        #expect(perClient[1]["client"] as? String == "till" && perClient[1]["duplicateRequestIds"] as? Int == 1)
        #expect(object["unknownOutcomes"] as? [String: Int] == ["quarantined": 1])
    }

    @Test("html: days to sunset, the contact list, the calls to reconcile and the retries")
    func html() throws {
        let html = ReportFormat.html.render(try SectionFixture.summary(), context: Self.context())
        #expect(html.contains("<b id=\"days-to-sunset\">5</b>"))
        #expect(html.contains("<b id=\"ambiguous-calls\">2</b>"))
        #expect(html.contains("<table id=\"contacts\">"))
        #expect(
            html.contains(
                "<tr><td class=\"client\">pos</td><td>2026-11-20T03:40:00.000Z</td><td class=\"num\">98</td><td class=\"num\">155</td>"
                    + "<td class=\"projection misses_sunset\">projected to miss the sunset by 6 days</td>"
                    + "<td class=\"num\">2</td><td class=\"num\">0</td><td class=\"num\">3</td></tr>"
            )
        )
        #expect(html.contains("<td class=\"projection on_track\">on track, zero by 2026-11-21</td>"))
        #expect(html.contains("<table id=\"ambiguous\">"))
        #expect(html.contains("<td class=\"request-id\">pos-9-5</td><td>pos</td><td>c-pos-9-5</td>"))
        #expect(html.contains("<table id=\"retries\">"))
        #expect(
            html.contains(
                "<tr><td>kiosk</td><td class=\"num\">4</td><td class=\"num\">1</td><td class=\"num\">1</td><td class=\"num\">0</td></tr>"
            )
        )
    }
}
