import Foundation
import ShimCore
import Testing

@Suite("Routing")
struct RoutingTests {
    static func table(_ yaml: String) throws -> RoutingTable {
        var files = try Fixtures.files()
        files["routing.yaml"] = yaml
        return try MappingSet(files: files).routing
    }

    static func error(_ yaml: String) throws -> MappingError? {
        do {
            _ = try table(yaml)
            return nil
        } catch let error as MappingError {
            return error
        }
    }

    static let bulkRoutes = """
        bulkRoutes:
          directEarn: { path: /v2/promotion/bulk/directEarn, actions: [ENROL] }
          enrolAndEarn: { path: /v2/promotion/bulk/enrolAndEarn, actions: [ENROL, EARN] }

        """

    @Test("The first matching rule decides; unmatched calls take the default")
    func firstMatchWins() throws {
        let table = try Self.table(
            Self.bulkRoutes + """
                default: translate
                rules:
                  - { name: kiosks-back, match: { client: kiosk }, route: legacy }
                  - { name: earning, match: { programId: 469, promotionId: 65780 }, route: enrolAndEarn, bulkAction: EARN }
                  - { name: web, match: { source: website }, route: directEarn }
                """
        )
        var issue = Fixtures.mobileIssue
        #expect(table.decide(client: "kiosk", issue: issue) == RouteDecision(target: .legacy, rule: "kiosks-back"))
        #expect(table.decide(client: "till", issue: issue) == RouteDecision(target: .translate, rule: nil))
        issue.promotionId = 65780
        #expect(
            table.decide(client: "till", issue: issue).target
                == .bulk(name: "enrolAndEarn", path: "/v2/promotion/bulk/enrolAndEarn", bulkAction: "EARN")
        )
        #expect(table.decide(client: "kiosk", issue: issue).target == .legacy)
        issue.promotionId = 65777
        issue.source = "WEBSITE"
        #expect(table.decide(client: "till", issue: issue).label == "directEarn")
    }

    @Test("A percentage rule sends a stable share of customers to the translated route")
    func percentage() throws {
        let table = try Self.table(
            "rules:\n  - { name: canary, match: { client: pos }, route: translate, translatePercent: 25 }\n  - { name: pos-rest, match: { client: pos }, route: legacy }\n"
        )
        var translated = 0
        for number in 0..<2000 {
            var issue = Fixtures.mobileIssue
            issue.identifierValue = "91\(1_000_000 + number)"
            let first = table.decide(client: "pos", issue: issue)
            #expect(first == table.decide(client: "pos", issue: issue), "a customer must always take the same path")
            if first.target == .translate { translated += 1 } else { #expect(first.rule == "pos-rest") }
            #expect(table.decide(client: "till", issue: issue).rule == nil)
        }
        #expect((400...600).contains(translated), "\(translated) of 2000 translated for 25%")
    }

    @Test(
        "Unreachable, duplicate and malformed rules are refused with their line",
        arguments: [
            (
                "rules:\n  - { name: a, match: { client: x }, route: legacy }\n  - { name: b, match: { client: x, programId: 1 }, route: translate }\n",
                "shadowed by rule 'a'", 3
            ),
            (
                "rules:\n  - { name: a, match: { client: x }, route: legacy }\n  - { name: b, match: { client: x }, route: translate }\n",
                "duplicates rule 'a'", 3
            ),
            (
                "rules:\n  - { name: a, match: { client: x }, route: legacy }\n  - { name: a, match: { client: y }, route: legacy }\n",
                "used twice", 3
            ),
            ("rules:\n  - { name: a, match: { client: x }, route: nowhere }\n", "unknown route 'nowhere'", 2),
            ("rules:\n  - { name: a, match: { client: x }, route: translate, bulkAction: EARN }\n", "bulk routes only", 2),
            ("rules:\n  - { name: a, match: { client: x }, route: translate, translatePercent: 120 }\n", "0...100", 2),
            ("rules:\n  - { name: a, match: { clients: x }, route: legacy }\n", "unknown key", 2),
            ("bulkRoutes:\n  elsewhere: { path: 'https://evil.example/x', actions: [ENROL] }\n", "absolute path", 2),
        ]
    )
    func refused(yaml: String, reason: String, line: Int) throws {
        let error = try #require(try Self.error(yaml))
        #expect(error.file == "routing.yaml")
        #expect(error.description.contains(reason), "\(error)")
        #expect(error.line == line, "\(error)")
    }

    @Test("A percentage rule does not shadow the rules after it")
    func percentageDoesNotShadow() throws {
        let table = try Self.table(
            "rules:\n  - { name: canary, match: { client: pos }, route: translate, translatePercent: 10 }\n  - { name: rest, match: { client: pos }, route: legacy }\n"
        )
        #expect(table.rules.count == 2)
    }

    @Test("The summary says what the tables say")
    func summary() {
        let summary = Fixtures.mappings.summary
        #expect(summary.contains("legacy POST /v2/promotion/issue -> POST /v2/promotion/bulk/directEarn bulkAction ENROL"))
        #expect(summary.contains("externalId -> customer lookup, then id"))
        #expect(summary.contains("8890 -> legacy 8890, HTTP 200"))
        #expect(summary.contains("earn-double-points: programId=469 promotionId=65780 -> enrolAndEarn ENROL"))
        #expect(summary.hasPrefix("mappings version "))
    }
}
