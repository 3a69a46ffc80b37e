import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOHTTP1
import ShimCore
import ShimSandbox
import ShimServer
import Testing

/// Routing, rollback, live reload and the shape comparison: the routes in process, the reload and the
/// comparison over real sockets.
@Suite("Migration controls", .timeLimit(.minutes(2)))
struct MigrationTests {
    /// A copy of the shipped mappings in a temporary directory, with `routing.yaml` replaced.
    static func mappingsDirectory(routing: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mappings-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("mappings")
        for name in MappingSet.fileNames {
            try FileManager.default.copyItem(atPath: shipped.appendingPathComponent(name).path, toPath: directory + "/" + name)
        }
        try routing.write(toFile: directory + "/routing.yaml", atomically: true, encoding: .utf8)
        return directory
    }

    static let bulkRoutes = """
        bulkRoutes:
          directEarn:   { path: /v2/promotion/bulk/directEarn,   actions: [ENROL] }
          enrolAndEarn: { path: /v2/promotion/bulk/enrolAndEarn, actions: [ENROL, EARN] }

        """

    @Test("The legacy route passes the call unchanged to the old endpoint, logged and with deprecation headers (in process)")
    func rollbackRoute() async throws {
        let directory = try Self.mappingsDirectory(
            routing: "rules:\n  - { name: till-back, match: { client: till }, route: legacy }\n")
        let legacyAnswer =
            #"{"warnings":[],"errors":[],"sideEffects":[{"programId":469,"issualId":1,"earnedId":2,"promotionId":65777,"type":"Points promotion"}]}"#
        let upstream = InMemoryUpstream { _ in InMemoryUpstream.json(legacyAnswer) }
        let shim = InProcessShim(upstream: upstream) { $0.mappings = try! MappingSet(directory: directory) }
        let response = await shim.issue(query: ShimOverSandboxTests.mobile + "&accountId=A%201")
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self) == legacyAnswer)
        #expect(response[header: "Deprecation"].count == 1)
        let request = try #require(upstream.requests.first)
        #expect(upstream.requests.count == 1)
        #expect(request.path == "/v2/promotion/issue")
        #expect(request.query == "identifierName=mobile&identifierValue=918888888888&source=INSTORE&accountId=A%201")
        #expect(String(decoding: request.body, as: UTF8.self) == #"{"programId":469,"promotionId":65777}"#)
        #expect(request.headers[.authorization] == tillAuthorization.1)
        let record = try #require(try await shim.usageLog().records.first)
        #expect(record["route"] as? String == "legacy")
        #expect(record["outcome"] as? String == "issued")
    }

    @Test("A bulk-route override sends enrol-and-issue promotions to enrolAndEarn with its action (in process)")
    func bulkOverride() async throws {
        let directory = try Self.mappingsDirectory(
            routing: Self.bulkRoutes
                + "rules:\n  - { name: earn, match: { programId: 469, promotionId: 65780 }, route: enrolAndEarn, bulkAction: EARN }\n"
        )
        let upstream = InMemoryUpstream { _ in InMemoryUpstream.json(RecordingUpstream.bulkSuccess) }
        let shim = InProcessShim(upstream: upstream) { $0.mappings = try! MappingSet(directory: directory) }
        _ = await shim.issue(query: ShimOverSandboxTests.mobile, body: #"{"programId":469,"promotionId":65780}"#)
        _ = await shim.issue(query: ShimOverSandboxTests.mobile)
        #expect(upstream.requests.map(\.path) == ["/v2/promotion/bulk/enrolAndEarn", "/v2/promotion/bulk/directEarn"])
        #expect(upstream.requests.first?.jsonBody?["bulkAction"] as? String == "EARN")
        #expect(upstream.requests.last?.jsonBody?["bulkAction"] as? String == "ENROL")
    }

    @Test("POST /reload swaps a valid set in for new calls and refuses an invalid one, keeping the old")
    func reload() async throws {
        let directory = try Self.mappingsDirectory(routing: "default: translate\n")
        let upstream = RecordingUpstream.legacyOrBulk()
        try await upstream.withShim(
            configure: {
                $0.mappings = try! MappingSet(directory: directory)
                $0.mappingsDirectory = directory
                // This test counts the reloads POST /reload makes; the directory watch would add its own.
                $0.watchMappings = false
            }
        ) { shim in
            _ = try await issue(shim.proxyURL, query: ShimOverSandboxTests.mobile)
            try "default: legacy\n".write(toFile: directory + "/routing.yaml", atomically: true, encoding: .utf8)
            let reloaded = try await send(.POST, "\(shim.adminURL)/reload")
            #expect(reloaded.status == 200)
            _ = try await issue(shim.proxyURL, query: ShimOverSandboxTests.mobile)
            try "default: nowhere\n".write(toFile: directory + "/routing.yaml", atomically: true, encoding: .utf8)
            let refused = try await send(.POST, "\(shim.adminURL)/reload")
            #expect(refused.status == 422)
            #expect(refused.text.contains("routing.yaml:1"))
            _ = try await issue(shim.proxyURL, query: ShimOverSandboxTests.mobile)
            let metrics = try await send(.GET, "\(shim.adminURL)/metrics").text
            #expect(metrics.contains(#"promo_shim_mappings_reloads_total{result="ok"} 1"#))
            #expect(metrics.contains(#"promo_shim_mappings_reloads_total{result="refused"} 1"#))
            #expect(metrics.contains("promo_shim_mappings_last_reload_success 0"))
        }
        #expect(upstream.requests.map(\.path) == ["/v2/promotion/bulk/directEarn", "/v2/promotion/issue", "/v2/promotion/issue"])
    }

    /// Every documented example and every vendor code the sandbox can produce, as recorded calls.
    static let shapeCalls: [RecordedCall] = {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures")
        let jsonl = try! String(contentsOf: fixtures.appendingPathComponent("legacy-calls.jsonl"), encoding: .utf8)
        let har = try! String(contentsOf: fixtures.appendingPathComponent("legacy-calls.har"), encoding: .utf8)
        return try! RecordedCall.parse(jsonl) + RecordedCall.parse(har)
    }()

    @Test("Old and new shapes agree: the sandbox's legacy endpoint and the shim over the sandbox answer alike")
    func shapesAgree() async throws {
        #expect(Self.shapeCalls.count == 17)
        try await withRunningApplication({ onRunning in
            Sandbox.application(host: "127.0.0.1", port: 0, logger: Logger(label: "sandbox"), onServerRunning: onRunning)
        }) { port in
            try await withShim(upstream: "http://127.0.0.1:\(port)") { shim in
                let results = await CallReplayer(client: testClient).compare(
                    Self.shapeCalls, legacy: "http://127.0.0.1:\(port)", shim: shim.proxyURL
                )
                for result in results {
                    #expect(result.verdict != .different, "\(result.call.target) \(result.call.body): \(result.diff)")
                }
                // The codes covered: every vendor code of the mapping table the sandbox produces via directEarn.
                let report = CallReplayer.report(results)
                #expect(report.hasSuffix("different\n"))
            }
        }
    }

    @Test("The comparison reports a real difference, with a readable diff")
    func comparisonCatchesDifferences() async throws {
        var mappings = shippedMappings
        mappings.codes.entity[8892] = CodeMapping(legacyCode: 8874, status: 400, message: "promotion id passed is invalid")
        try await withRunningApplication({ onRunning in
            Sandbox.application(host: "127.0.0.1", port: 0, logger: Logger(label: "sandbox"), onServerRunning: onRunning)
        }) { port in
            try await withShim(upstream: "http://127.0.0.1:\(port)", configure: { $0.mappings = mappings }) { shim in
                let inactive = Self.shapeCalls.filter { $0.body.contains("65778") }
                let results = await CallReplayer(client: testClient).compare(
                    inactive, legacy: "http://127.0.0.1:\(port)", shim: shim.proxyURL
                )
                #expect(results.map(\.verdict) == [.different])
                #expect(results.first?.diff.contains("$.errors[0].code: - 8892 + 8874") == true)
            }
        }
    }
}
