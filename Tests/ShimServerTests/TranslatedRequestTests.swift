import Foundation
import HTTPTypes
import Hummingbird
import NIOHTTP1
import ShimServer
import Testing

/// What the shim sends upstream for a legacy call, asserted on an in-memory upstream behind the
/// ``Upstream`` seam (in process: nothing here lives on the wire but the body limit).
@Suite("Translated upstream requests", .timeLimit(.minutes(2)))
struct TranslatedRequestTests {
    @Test("A legacy call becomes exactly one bulk ENROL call with the caller's credentials")
    func bulkRequest() async throws {
        let upstream = InMemoryUpstream { _ in InMemoryUpstream.json(RecordingUpstream.bulkSuccess) }
        let response = await InProcessShim(upstream: upstream).issue(
            query: "identifierName=mobile&identifierValue=918888888888&source=instore&accountId=ACC-1",
            headers: [
                tillAuthorization, ("X-CAP-API-OAUTH-CLIENT", "store-42"), ("Cookie", "session=1"),
                ("X-Other", "not forwarded"),
            ]
        )
        #expect(response.status == 200)
        let sideEffect = (response.json["sideEffects"] as? [[String: Any]])?.first
        #expect(sideEffect?["issualId"] as? Int == 811)
        #expect(sideEffect?["earnedId"] as? Int == 765)
        #expect(sideEffect?["programId"] as? Int == 2750)
        let requests = upstream.requests
        try #require(requests.count == 1)
        let request = requests[0]
        #expect(request.method == .post)
        #expect(request.path == "/v2/promotion/bulk/directEarn")
        #expect(request.query == nil)
        #expect(request.headers[.authorization] == tillAuthorization.1)
        #expect(request.headers[HTTPField.Name("X-CAP-API-OAUTH-CLIENT")!] == "store-42")
        #expect(request.headers[.cookie] == nil)
        #expect(request.headers[HTTPField.Name("X-Other")!] == nil)
        #expect(request.headers[.contentType] == "application/json")
        let body = try #require(request.jsonBody)
        #expect(body["type"] as? String == "CUSTOMER")
        #expect(body["bulkAction"] as? String == "ENROL")
        #expect(body["identifierName"] as? String == "mobile")
        let details = try #require(body["promotionDetails"] as? [String: Any])
        #expect(details["programId"] as? Int == 469)
        #expect(details["promotionId"] as? Int == 65777)
        let customers = try #require(body["customers"] as? [[String: Any]])
        #expect(customers.count == 1)
        #expect(customers.first?["identifierValue"] as? String == "918888888888")
        // The source is sent in its documented spelling; accountId is not sent (mappings default).
        #expect(customers.first?["source"] as? String == "INSTORE")
        #expect(customers.first?["accountId"] == nil)
        #expect(body.keys.sorted() == ["bulkAction", "customers", "identifierName", "promotionDetails", "type"])
    }

    @Test("externalId is looked up with the caller's credentials, then issued by customer id")
    func externalIdLookup() async throws {
        let upstream = Self.lookupThenIssue()
        let response = await InProcessShim(upstream: upstream).issue(
            query: "identifierName=externalId&identifierValue=EXT%201%2B2&source=INSTORE&accountId=ACC-1"
        )
        #expect(response.status == 200)
        let requests = upstream.requests
        try #require(requests.count == 2)
        #expect(requests[0].method == .get)
        #expect(requests[0].path == "/v2/customers/lookup")
        #expect(requests[0].query == "source=INSTORE&identifierName=externalId&identifierValue=EXT%201%2B2&accountId=ACC-1")
        #expect(requests[0].headers[.authorization] == tillAuthorization.1)
        let body = try #require(requests[1].jsonBody)
        #expect(body["identifierName"] as? String == "id")
        #expect((body["customers"] as? [[String: Any]])?.first?["identifierValue"] as? String == "552695692")
    }

    @Test("The caller's trace context (traceparent, tracestate, baggage) goes on the lookup and the bulk call")
    func traceContextForwarded() async throws {
        let upstream = Self.lookupThenIssue()
        let traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        let response = await InProcessShim(upstream: upstream).issue(
            query: "identifierName=externalId&identifierValue=EXT-1001&source=INSTORE",
            headers: [tillAuthorization, ("traceparent", traceparent), ("tracestate", "vendor=abc"), ("baggage", "tenant=7")]
        )
        #expect(response.status == 200)
        let requests = upstream.requests
        try #require(requests.count == 2)
        for request in requests {
            #expect(request.headers[HTTPField.Name("traceparent")!] == traceparent, "\(request.path)")
            #expect(request.headers[HTTPField.Name("tracestate")!] == "vendor=abc", "\(request.path)")
            #expect(request.headers[HTTPField.Name("baggage")!] == "tenant=7", "\(request.path)")
        }
    }

    @Test("A lookup that finds nobody answers 8015 without a bulk call")
    func lookupNotFound() async throws {
        let upstream = InMemoryUpstream { _ in
            InMemoryUpstream.json(#"{"errors":[{"code":8015,"message":"not found"}]}"#, status: .badRequest)
        }
        let response = await InProcessShim(upstream: upstream).issue(
            query: "identifierName=externalId&identifierValue=X&source=INSTORE")
        #expect(response.status == 400)
        #expect(response.errorCodes == [8015])
        #expect(upstream.requests.map(\.path) == ["/v2/customers/lookup"])
    }

    @Test(
        "Invalid calls are answered locally, without any upstream call",
        arguments: [
            ("identifierName=mobile&source=INSTORE", #"{"programId":469,"promotionId":65777}"#, 400, 11013),
            ("identifierName=&identifierValue=1&source=INSTORE", #"{"programId":469,"promotionId":65777}"#, 400, 11013),
            (
                "identifierName=mobile&identifierValue=1&source=INSTORE&type=STORE", #"{"programId":469,"promotionId":65777}"#,
                400, 1212
            ),
            ("identifierName=mobile&identifierValue=1&source=INSTORE", #"{"promotionId":65777}"#, 400, 1101),
            ("identifierName=mobile&identifierValue=1&source=INSTORE", #"{"programId":"x","promotionId":65777}"#, 400, 1101),
            ("identifierName=mobile&identifierValue=1&source=INSTORE", #"{"programId":469}"#, 400, 8874),
            ("identifierName=phone&identifierValue=1&source=INSTORE", #"{"programId":469,"promotionId":65777}"#, 400, 9901),
            ("identifierName=mobile&identifierValue=1&source=SHOP", #"{"programId":469,"promotionId":65777}"#, 400, 9902),
            (
                "identifierName=mobile&identifierValue=1&identifierValue=2&source=INSTORE",
                #"{"programId":469,"promotionId":65777}"#, 400, 9903
            ),
            ("identifierName=mobile&identifierValue=1&source=INSTORE", #"{"programId":469,"#, 400, 9904),
            ("identifierName=mobile&identifierValue=1&source=INSTORE", "", 400, 9904),
        ]
    )
    func localValidation(query: String, body: String, status: Int, code: Int) async throws {
        let upstream = InMemoryUpstream { _ in InMemoryUpstream.json(RecordingUpstream.bulkSuccess) }
        let response = await InProcessShim(upstream: upstream).issue(query: query, body: body)
        #expect(response.status == status)
        #expect(response.errorCodes == [code])
        #expect(response.json["sideEffects"] == nil)
        #expect(upstream.requests.isEmpty)
    }

    @Test("A body over the limit is refused 413 (9905) by the listener, without any upstream call")
    func bodyOverTheLimit() async throws {
        let upstream = RecordingUpstream { _ in RecordingUpstream.json(RecordingUpstream.bulkSuccess) }
        try await upstream.withShim { shim in
            let response = try await issue(
                shim.proxyURL, query: "identifierName=mobile&identifierValue=1&source=INSTORE",
                body: String(repeating: " ", count: 20_000)
            )
            #expect(response.status == 413)
            #expect(response.errorCodes == [9905])
        }
        #expect(upstream.requests.isEmpty)
    }

    /// Answers the customer lookup with customer 552695692 and the bulk call with a success.
    static func lookupThenIssue() -> InMemoryUpstream {
        InMemoryUpstream { request in
            request.path == "/v2/customers/lookup"
                ? InMemoryUpstream.json(#"{"entity": 552695692, "warnings": []}"#)
                : InMemoryUpstream.json(RecordingUpstream.bulkSuccess)
        }
    }
}
