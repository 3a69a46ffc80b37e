import Foundation
import NIOCore
import ShimCore
import ShimServer
import Testing

/// ``ShimConfiguration/validate()``: every out-of-range value is refused with a message naming the
/// option, without starting anything.
@Suite("Configuration validation")
struct ConfigurationValidationTests {
    static func configuration(_ change: (inout ShimConfiguration) -> Void = { _ in }) throws -> ShimConfiguration {
        var configuration = ShimConfiguration(upstream: try UpstreamEndpoint("http://127.0.0.1:1"), mappings: shippedMappings)
        change(&configuration)
        return configuration
    }

    @Test("The defaults, port 0 and the edges of each range are accepted")
    func accepted() throws {
        try Self.configuration().validate()
        try Self.configuration {
            $0.port = 0
            $0.adminPort = 65_535
            $0.maxQueuedUpstreamCalls = 0
            $0.maxConcurrentUpstreamCalls = 1
            $0.maxLegacyBodyBytes = 1
            $0.maxPassthroughBodyBytes = 1
            $0.timeouts = .init(connect: .milliseconds(1), read: .milliseconds(1), request: .milliseconds(2))
            $0.coalesceWindow = .milliseconds(1)
            $0.coalesceMax = 100
            $0.usageLogBufferRecords = 1
            $0.shutdownTimeout = .seconds(1)
            $0.requestHeadTimeout = .milliseconds(1)
            $0.requestBodyTimeout = .milliseconds(1)
            $0.idleTimeout = .milliseconds(1)
        }.validate()
    }

    @Test("deprecation.yaml is checked against the sunset date: a window past it, or reject without one, is refused")
    func deprecationTableAgainstSunset() throws {
        var files = try MappingSet.fileNames.reduce(into: [String: String]()) { files, name in
            files[name] = try String(contentsOfFile: shippedMappingsDirectory + "/" + name, encoding: .utf8)
        }
        files["deprecation.yaml"] = "brownouts:\n  - { start: 2027-06-29T00:00:00Z, end: 2027-07-01T00:00:00Z, mode: enforce }\n"
        let late = try MappingSet(files: files)
        files["deprecation.yaml"] = "afterSunset: { action: reject }\n"
        let rejecting = try MappingSet(files: files)
        let sunset = try DeprecationPolicy(
            deprecationDate: "2026-01-01", sunsetDate: "2027-06-30", successorURL: "https://x.example", policyURL: nil
        )
        #expect(sunset.sunsetMilliseconds == 1_814_313_600_000)
        #expect {
            try Self.configuration {
                $0.mappings = late
                $0.mappingsDirectory = "/etc/promo-shim/mappings"
                $0.deprecation = sunset
            }.validate()
        } throws: { error in
            "\(error)".contains("/etc/promo-shim/mappings/deprecation.yaml:2") && "\(error)".contains("past the sunset date")
        }
        try Self.configuration { $0.mappings = late }.validate()
        #expect {
            try Self.configuration { $0.mappings = rejecting }.validate()
        } throws: { error in
            "\(error)".contains("--sunset-date")
        }
        try Self.configuration {
            $0.mappings = rejecting
            $0.deprecation = sunset
        }.validate()
    }

    typealias Change = @Sendable (inout ShimConfiguration) -> Void

    @Test(
        "An out-of-range value is refused, naming its option",
        arguments: [
            ("--port", { $0.port = 70_000 } as Change),
            ("--port", { $0.port = -1 } as Change),
            ("--admin-port", { $0.adminPort = 65_536 } as Change),
            ("--read-timeout-ms", { $0.timeouts.read = .zero } as Change),
            ("--connect-timeout-ms", { $0.timeouts.connect = .milliseconds(-5) } as Change),
            ("--request-timeout-ms", { $0.timeouts.request = .zero } as Change),
            ("--max-body-bytes", { $0.maxLegacyBodyBytes = 0 } as Change),
            ("--max-passthrough-body-bytes", { $0.maxPassthroughBodyBytes = -1 } as Change),
            ("--max-concurrent-upstream", { $0.maxConcurrentUpstreamCalls = 0 } as Change),
            ("--max-concurrent-passthrough", { $0.maxConcurrentPassthroughCalls = 0 } as Change),
            ("--upstream-idle-timeout-ms", { $0.timeouts.idle = .zero } as Change),
            ("--request-head-timeout-ms", { $0.requestHeadTimeout = .zero } as Change),
            ("--request-body-timeout-ms", { $0.requestBodyTimeout = .milliseconds(-1) } as Change),
            ("--idle-timeout-ms", { $0.idleTimeout = .zero } as Change),
            ("--max-queued-upstream", { $0.maxQueuedUpstreamCalls = -1 } as Change),
            ("--usage-log-buffer-records", { $0.usageLogBufferRecords = 0 } as Change),
            ("--shutdown-timeout-seconds", { $0.shutdownTimeout = .zero } as Change),
            ("--coalesce-window-ms", { $0.coalesceWindow = .milliseconds(-1) } as Change),
            ("--coalesce-window-ms", { $0.coalesceWindow = .seconds(15) } as Change),
            ("--coalesce-max", { $0.coalesceMax = 0 } as Change),
            ("--coalesce-max", { $0.coalesceMax = 101 } as Change),
        ]
    )
    func refused(option: String, change: Change) throws {
        let configuration = try Self.configuration(change)
        let error = #expect(throws: ConfigurationError.self) { try configuration.validate() }
        #expect(error?.description.contains(option) == true, "\(error?.description ?? "accepted")")
    }
}

@Suite("Upstream URL")
struct UpstreamEndpointTests {
    @Test(
        "Refused: no http(s), no host, credentials, a query, and a host that decodes to a control character or space",
        arguments: [
            "ftp://vendor", "http://", "http://user:pw@vendor", "http://vendor/?q=1",
            "http://evil%0D%0AX-Foo%3A%20bar", "http://ven%20dor", "http://vendor%00",
        ]
    )
    func refused(_ url: String) {
        #expect(throws: ConfigurationError.self) { try UpstreamEndpoint(url) }
    }

    @Test("Accepted: a host, a port, a base path (without its trailing slashes), an IPv6 literal")
    func accepted() throws {
        let endpoint = try UpstreamEndpoint("http://vendor.example:8080/api//")
        #expect(endpoint.baseURL == "http://vendor.example:8080/api")
        #expect(try UpstreamEndpoint("https://[::1]").baseURL == "https://[::1]:443")
    }
}
