import Foundation
import Logging
import NIOHTTP1
import ShimSandbox
import ShimServer
import Testing

/// The sandbox enforces what the vendor documents, so tests cannot pass on a laxer fake.
@Suite("Sandbox vendor", .timeLimit(.minutes(2)))
struct SandboxTests {
    static func withSandbox(_ body: (String) async throws -> Void) async throws {
        var logger = Logger(label: "sandbox.test")
        logger.logLevel = .warning
        try await withRunningApplication({ onRunning in
            Sandbox.application(host: "127.0.0.1", port: 0, logger: logger, onServerRunning: onRunning)
        }) { port in
            try await body("http://127.0.0.1:\(port)")
        }
    }

    static func bulk(_ base: String, _ path: String, _ body: String) async throws -> TestResponse {
        try await send(
            .POST, base + path, headers: [tillAuthorization, ("Content-Type", "application/json")], body: Array(body.utf8)
        )
    }

    static func customers(_ values: [String]) -> String {
        values.map { #"{"identifierValue":"\#($0)","source":"INSTORE"}"# }.joined(separator: ",")
    }

    @Test("directEarn answers one entity per customer, in order, each with its own ids")
    func directEarnOrder() async throws {
        try await Self.withSandbox { base in
            let body =
                #"{"type":"CUSTOMER","bulkAction":"ENROL","promotionDetails":{"programId":469,"promotionId":65777},"identifierName":"mobile","customers":[\#(Self.customers(["918888888888", "910000000000", "917777777777"]))]}"#
            let response = try await Self.bulk(base, "/v2/promotion/bulk/directEarn", body)
            #expect(response.status == 200)
            let entities = try #require(response.json["response"] as? [[String: Any]])
            #expect(entities.count == 3)
            #expect((entities[0]["result"] as? [String: Any])?["entityId"] as? Int == 552_695_692)
            #expect((entities[1]["errors"] as? [[String: Any]])?.first?["code"] as? Int == 8015)
            #expect((entities[2]["result"] as? [String: Any])?["entityId"] as? Int == 552_695_693)
            #expect(
                (entities[0]["result"] as? [String: Any])?["issualId"] as? String
                    != (entities[2]["result"] as? [String: Any])?["issualId"] as? String
            )
            #expect(response.json["failureCount"] as? Int == 1)
        }
    }

    @Test("enrolAndEarn takes ENROL/EARN for enrol-and-issue promotions and refuses ENROL for direct ones")
    func enrolAndEarn() async throws {
        try await Self.withSandbox { base in
            func call(_ promotion: Int, _ action: String) async throws -> [String: Any] {
                let body =
                    #"{"type":"CUSTOMER","bulkAction":"\#(action)","promotionDetails":{"programId":469,"promotionId":\#(promotion)},"identifierName":"mobile","customers":[\#(Self.customers(["918888888888"]))]}"#
                let response = try await Self.bulk(base, "/v2/promotion/bulk/enrolAndEarn", body)
                return try #require((response.json["response"] as? [[String: Any]])?.first)
            }
            let earn = try await call(65780, "EARN")
            let enrol = try await call(65780, "ENROL")
            let refused = try await call(65777, "ENROL")
            #expect(earn["result"] != nil)
            #expect(enrol["result"] != nil)
            #expect((refused["errors"] as? [[String: Any]])?.first?["code"] as? Int == 8902)
        }
    }

    @Test("More customers than the vendor's batch limit are refused whole")
    func batchLimit() async throws {
        try await Self.withSandbox { base in
            let values = (0..<101).map { _ in "918888888888" }
            let body =
                #"{"type":"CUSTOMER","bulkAction":"ENROL","promotionDetails":{"programId":469,"promotionId":65777},"identifierName":"mobile","customers":[\#(Self.customers(values))]}"#
            let response = try await Self.bulk(base, "/v2/promotion/bulk/directEarn", body)
            #expect(response.status == 400)
            #expect(response.json["response"] == nil)
        }
    }

    @Test("Lookup answers the customer id, and 401 without credentials")
    func lookup() async throws {
        try await Self.withSandbox { base in
            let url = base + "/v2/customers/lookup?source=INSTORE&identifierName=externalId&identifierValue=EXT-1001"
            let found = try await send(.GET, url, headers: [tillAuthorization])
            #expect(found.json["entity"] as? Int == 552_695_692)
            let anonymous = try await send(.GET, url)
            #expect(anonymous.status == 401)
        }
    }
}
