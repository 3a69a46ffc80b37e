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
            // End-to-end duration by outcome, the build, the policy's dates, the process.
            #expect(text.contains(#"promo_shim_legacy_call_duration_seconds_count{outcome="issued"} 2"#))
            #expect(text.contains(#"promo_shim_legacy_call_duration_seconds_count{outcome="rejected"} 1"#))
            #expect(text.contains(#"promo_shim_build_info{version="\#(BuildInfo.version)""#))
            #expect(text.contains("promo_shim_deprecation_date_seconds 1767225600"))
            for name in [
                "process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds", "process_start_time_seconds",
            ] {
                #expect(text.contains("\n\(name) "), "\(name) missing")
            }
            // Every metric has its help text (promtool check metrics insists).
            for line in text.split(separator: "\n") where line.hasPrefix("# TYPE ") {
                let name = line.split(separator: " ")[2]
                #expect(text.contains("# HELP \(name) "), "\(name) has no help")
            }
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

/// The admin listener answers only requests addressed to it by a loopback name or its configured
/// host, and refuses state-changing requests from another origin (web pages, DNS rebinding).
@Suite("Admin listener: Host and Origin", .timeLimit(.minutes(2)))
struct AdminOriginTests {
    /// Sends a raw HTTP/1.1 request to the admin port and expects `expected` as its status.
    static func expect(
        _ expected: Int, _ port: Int, _ method: String, _ path: String, host: String?, _ headers: [String] = [],
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        var head = "\(method) \(path) HTTP/1.1\r\n"
        if let host { head += "Host: \(host)\r\n" }
        for header in headers { head += header + "\r\n" }
        if method == "POST" { head += "Content-Length: 0\r\n" }
        head += "Connection: close\r\n\r\n"
        let reply = try await rawExchange(port: port, head)
        let statusLine = reply.prefix { $0 != "\r" }
        let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") ?? 0
        #expect(status == expected, "\(method) \(path), Host \(host ?? "none"), \(headers)", sourceLocation: sourceLocation)
    }

    @Test("Loopback names with any port are served; another Host gets 421")
    func hostAllowList() async throws {
        try await withShimOverSandbox { shim in
            let port = shim.admin
            for host in ["127.0.0.1:\(port)", "localhost:\(port)", "localhost", "[::1]:\(port)", "LOCALHOST:1"] {
                try await Self.expect(200, port, "GET", "/health", host: host)
            }
            for host in ["evil.example", "evil.example:\(port)", "127.0.0.1.evil.example", "attacker.test:80"] {
                try await Self.expect(421, port, "GET", "/metrics", host: host)
                try await Self.expect(421, port, "GET", "/deprecation", host: host)
                try await Self.expect(421, port, "POST", "/reload", host: host)
            }
        }
    }

    @Test("A cross-origin POST /reload gets 403; curl without Origin and same-origin POSTs reload")
    func crossOriginReload() async throws {
        let mappings = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("mappings").path
        try await withShimOverSandbox(configure: { $0.mappingsDirectory = mappings }) { shim in
            let port = shim.admin
            let host = "127.0.0.1:\(port)"
            try await Self.expect(403, port, "POST", "/reload", host: host, ["Origin: http://evil.example"])
            try await Self.expect(403, port, "POST", "/reload", host: host, ["Origin: null"])
            try await Self.expect(403, port, "POST", "/reload", host: host, ["Sec-Fetch-Site: cross-site"])
            try await Self.expect(403, port, "POST", "/reload", host: host, ["Origin: http://localhost:\(port)"])
            // curl as the README shows it, and the listener's own origin.
            try await Self.expect(200, port, "POST", "/reload", host: host)
            try await Self.expect(200, port, "POST", "/reload", host: host, ["Origin: http://\(host)"])
            try await Self.expect(200, port, "POST", "/reload", host: host, ["Sec-Fetch-Site: same-origin"])
            let viaClient = try await send(.POST, "\(shim.adminURL)/reload")
            #expect(viaClient.status == 200)
        }
    }
}
