import Foundation
import HTTPTypes
import NIOHTTP1
import ShimServer
import Testing

/// OpenTelemetry tracing over OTLP/HTTP (JSON here, so the test's collector can read it): a shim
/// process exports to a collector on loopback, in front of a recording vendor.
@Suite("Tracing (process)", .timeLimit(.minutes(2)))
struct TracingTests {
    /// A span as OTLP/JSON carries it (ids are base64 in swift-otel's JSON; decoded to hex here).
    struct Span {
        var name: String
        var traceId: String
        var spanId: String
        var parentSpanId: String
        var links: [(traceId: String, spanId: String)]
        var attributes: [String: String]
    }

    static func hex(_ base64: String?) -> String {
        guard let base64, let data = Data(base64Encoded: base64) else { return base64 ?? "" }
        return data.map { String(format: "%02x", $0) }.joined()
    }

    static func spans(in requests: [RecordedRequest]) -> [Span] {
        var spans: [Span] = []
        for request in requests where request.path == "/v1/traces" {
            guard let root = request.jsonBody, let resources = root["resourceSpans"] as? [[String: Any]] else { continue }
            for resource in resources {
                for scope in resource["scopeSpans"] as? [[String: Any]] ?? [] {
                    for span in scope["spans"] as? [[String: Any]] ?? [] {
                        var attributes: [String: String] = [:]
                        for attribute in span["attributes"] as? [[String: Any]] ?? [] {
                            let value = (attribute["value"] as? [String: Any])?.values.first.map { "\($0)" } ?? ""
                            attributes[attribute["key"] as? String ?? ""] = value
                        }
                        let links = (span["links"] as? [[String: Any]] ?? []).map {
                            (traceId: hex($0["traceId"] as? String), spanId: hex($0["spanId"] as? String))
                        }
                        spans.append(
                            Span(
                                name: span["name"] as? String ?? "", traceId: hex(span["traceId"] as? String),
                                spanId: hex(span["spanId"] as? String), parentSpanId: hex(span["parentSpanId"] as? String),
                                links: links, attributes: attributes
                            )
                        )
                    }
                }
            }
        }
        return spans
    }

    /// A bulk answer with one issued entity per customer sent.
    static func bulkAnswer(for request: RecordedRequest) -> String {
        let customers = (request.jsonBody?["customers"] as? [Any])?.count ?? 1
        let entity =
            #"{"result":{"entityType":"CUSTOMER","entityId":1,"promotionId":65777,"programId":469,"issualId":"811","earnedId":"765"},"errors":[],"warnings":[]}"#
        return #"{"response":["# + Array(repeating: entity, count: customers).joined(separator: ",")
            + #"],"totalCount":\#(customers),"failureCount":0}"#
    }

    static func traceparent(_ trace: String, _ parent: String) -> String { "00-\(trace)-\(parent)-01" }

    @Test(
        "The caller's trace id is kept, the vendor gets the shim's span as parent, a batch links its callers, no identifier or credential in any attribute"
    )
    func spansOverOTLP() async throws {
        let collector = RecordingUpstream { _ in RecordingUpstream.json("{}") }
        let vendor = RecordingUpstream { request in
            request.path == "/v2/customers/lookup"
                ? RecordingUpstream.json(#"{"entity": 552695692, "warnings": []}"#)
                : RecordingUpstream.json(Self.bulkAnswer(for: request))
        }
        let traceA = "4bf92f3577b34da6a3ce929d0e0e4736"
        let parentA = "00f067aa0ba902b7"
        let traceB = "11111111111111111111111111111111"
        let parentB = "1111111111111111"
        let traceC = "22222222222222222222222222222222"
        let parentC = "2222222222222222"
        try await collector.run { collectorURL in
            try await vendor.run { vendorURL in
                try await withShimProcess(
                    // B and C fill a batch of two, which then departs at once: no window decides it.
                    arguments: ["--upstream", vendorURL, "--coalesce-window-ms", "2000", "--coalesce-max", "2"],
                    environment: [
                        "OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json",
                        "OTEL_EXPORTER_OTLP_ENDPOINT": collectorURL, "OTEL_BSP_SCHEDULE_DELAY": "100",
                    ]
                ) { shim in
                    let a = try await issue(
                        shim.proxyURL, query: "identifierName=externalId&identifierValue=EXT-1001&source=INSTORE",
                        headers: [tillAuthorization, ("traceparent", Self.traceparent(traceA, parentA))]
                    )
                    #expect(a.status == 200)
                    async let b = issue(
                        shim.proxyURL, query: ShimOverSandboxTests.mobile,
                        headers: [tillAuthorization, ("traceparent", Self.traceparent(traceB, parentB))]
                    )
                    async let c = issue(
                        shim.proxyURL, query: "identifierName=mobile&identifierValue=917777777777&source=INSTORE",
                        headers: [tillAuthorization, ("traceparent", Self.traceparent(traceC, parentC))]
                    )
                    let (answerB, answerC) = try await (b, c)
                    #expect(answerB.status == 200 && answerC.status == 200)
                }
            }
        }
        let spans = Self.spans(in: collector.requests)
        // The caller's trace continues through the shim.
        let serverA = try #require(spans.first { $0.name == "POST /v2/promotion/issue" && $0.traceId == traceA })
        #expect(serverA.parentSpanId == parentA)
        #expect(serverA.attributes["promo_shim.client"] == "till")
        #expect(serverA.attributes["promo_shim.program_id"] == "469")
        let lookup = try #require(spans.first { $0.name == "lookup" && $0.traceId == traceA })
        #expect(lookup.parentSpanId == serverA.spanId)
        // The vendor received the shim's lookup span as the parent, in the caller's trace.
        let lookupRequest = try #require(vendor.requests.first { $0.path == "/v2/customers/lookup" })
        #expect(lookupRequest.headers[HTTPField.Name("traceparent")!] == Self.traceparent(traceA, lookup.spanId))
        // B and C shared a batch: its span links to both callers' server spans.
        let serverB = try #require(spans.first { $0.name == "POST /v2/promotion/issue" && $0.traceId == traceB })
        let serverC = try #require(spans.first { $0.name == "POST /v2/promotion/issue" && $0.traceId == traceC })
        let batch = try #require(spans.first { $0.name == "bulk batch" && $0.links.count == 2 })
        #expect(Set(batch.links.map(\.spanId)) == [serverB.spanId, serverC.spanId])
        #expect(Set(batch.links.map(\.traceId)) == [traceB, traceC])
        #expect(serverB.attributes["promo_shim.batch_id"] == batch.attributes["promo_shim.batch_id"])
        // Never an identifier value or a credential.
        let everything = spans.flatMap { Array($0.attributes.keys) + Array($0.attributes.values) }.joined(separator: " ")
        for secret in ["918888888888", "917777777777", "EXT-1001", "secret", tillAuthorization.1, "dGlsbDpzZWNyZXQ="] {
            #expect(!everything.contains(secret), "\(secret) appears in a span attribute")
        }
        #expect(!spans.contains { $0.attributes.keys.contains { $0.contains("customer") || $0.contains("identifier") } })
    }
}
