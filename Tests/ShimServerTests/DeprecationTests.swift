import Foundation
import HTTPTypes
import ShimServer
import Testing

/// Legacy answers tell callers the endpoint is deprecated; passthrough answers do not.
@Suite("Deprecation signalling", .timeLimit(.minutes(2)))
struct DeprecationTests {
    @Test("Success and error answers carry Deprecation, Sunset, Link and the request id (in process)")
    func headersOnLegacyAnswers() async throws {
        let shim = InProcessShim(upstream: .sandbox()) {
            $0.deprecation = try! DeprecationPolicy(
                deprecationDate: "2026-01-01T00:00:00Z",
                sunsetDate: "2030-06-30T23:59:59Z",
                successorURL: "https://docs.example.com/bulk",
                policyURL: "https://example.com/deprecation"
            )
        }
        let success = await shim.issue(query: ShimOverSandboxTests.mobile)
        let rejected = await shim.issue(query: "identifierName=mobile")
        #expect(success.status == 200)
        #expect(rejected.status == 400)
        for response in [success, rejected] {
            #expect(response[header: "Deprecation"] == ["@1767225600"])
            #expect(response[header: "Sunset"] == ["Sun, 30 Jun 2030 23:59:59 GMT"])
            #expect(
                response[header: "Link"]
                    == [
                        #"<https://docs.example.com/bulk>; rel="successor-version", <https://example.com/deprecation>; rel="deprecation""#
                    ]
            )
            #expect(response[header: "X-Request-Id"].first?.count == 32)
        }
        // Passthrough answers carry none of these: PassthroughTests, on the wire.
    }

    @Test("The shipped defaults send Deprecation and the successor link, and no Sunset (in process)")
    func defaults() async throws {
        let response = await InProcessShim(upstream: .sandbox()).issue(
            query: ShimOverSandboxTests.mobile, headers: [tillAuthorization, ("X-Request-Id", "till-7-0001")]
        )
        #expect(response.status == 200)
        #expect(response[header: "Deprecation"].first?.hasPrefix("@") == true)
        #expect(response[header: "Link"].first?.contains(#"rel="successor-version""#) == true)
        #expect(response[header: "Sunset"].isEmpty)
        #expect(response[header: "X-Request-Id"] == ["till-7-0001"])
    }

    @Test(
        "Invalid policies are refused at start",
        arguments: [
            ("2026-01-01", "2025-12-31", "https://docs.example.com", nil as String?),
            ("yesterday", nil, "https://docs.example.com", nil),
            ("2026-01-01", nil, "not a url", nil),
            ("2026-01-01", nil, "https://docs.example.com", "ftp://example.com/x"),
        ]
    )
    func invalidPolicies(deprecation: String, sunset: String?, successor: String, policy: String?) {
        #expect(throws: ConfigurationError.self) {
            try DeprecationPolicy(deprecationDate: deprecation, sunsetDate: sunset, successorURL: successor, policyURL: policy)
        }
    }

    @Test("A date-only deprecation is accepted and means midnight UTC")
    func dateOnly() throws {
        let policy = try DeprecationPolicy(
            deprecationDate: "2026-01-01", sunsetDate: "2026-01-01", successorURL: "https://x.example", policyURL: nil
        )
        #expect(policy.headers[values: .init("Deprecation")!] == ["@1767225600"])
    }
}
