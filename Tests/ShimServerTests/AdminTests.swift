import Foundation
import NIOHTTP1
import ShimServer
import Testing

/// The admin listener: health, readiness and metrics.
@Suite("Admin listener", .timeLimit(.minutes(2)))
struct AdminTests {
    @Test("/metrics counts legacy calls by client, outcome and code, and passthrough by status class")
    func metrics() async throws {
        try await withShimOverSandbox { shim in
            _ = try await issue(shim.proxyURL, query: ShimOverSandboxTests.mobile)
            _ = try await issue(shim.proxyURL, query: ShimOverSandboxTests.mobile)
            _ = try await issue(shim.proxyURL, query: "identifierName=mobile", headers: [])
            _ = try await send(.GET, "\(shim.proxyURL)/v2/unknown", headers: [tillAuthorization])
            let metrics = try await send(.GET, "\(shim.adminURL)/metrics")
            #expect(metrics.status == 200)
            let text = metrics.text
            #expect(text.contains(#"promo_shim_legacy_calls_total{client="till",outcome="issued",code="none"} 2"#))
            #expect(text.contains(#"promo_shim_legacy_calls_total{client="anonymous",outcome="rejected",code="11013"} 1"#))
            #expect(text.contains(#"promo_shim_passthrough_requests_total{status_class="4xx"} 1"#))
            #expect(text.contains(#"promo_shim_upstream_duration_seconds_count{call="bulk"} 2"#))
            #expect(text.contains("promo_shim_in_flight_requests 0"))
        }
    }

    @Test("/ready answers 503 until the upstream has answered once")
    func readiness() async throws {
        // Nothing listens on port 1 of loopback: the probe never succeeds.
        try await withShim(upstream: "http://127.0.0.1:1") { shim in
            let notReady = try await send(.GET, "\(shim.adminURL)/ready")
            #expect(notReady.status == 503)
            let health = try await send(.GET, "\(shim.adminURL)/health")
            #expect(health.status == 200)
        }
        try await withShimOverSandbox { shim in
            var status = 0
            for _ in 0..<50 {
                status = try await send(.GET, "\(shim.adminURL)/ready").status
                if status == 200 { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(status == 200)
        }
    }
}
