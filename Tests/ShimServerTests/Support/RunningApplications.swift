import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import ShimCore
import ShimSandbox
import ShimServer

/// The repository's `mappings/` directory.
let shippedMappingsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("mappings").path

/// The repository's `mappings/`, as shipped.
let shippedMappings: MappingSet = try! MappingSet(directory: shippedMappingsDirectory)

/// Ports of a running shim.
typealias ShimPorts = ShimServer.Ports

/// Runs the whole shim (proxy, admin, upstream client) on free loopback ports in front of
/// `upstream` for the duration of `body`.
func withShim<Result: Sendable>(
    upstream: String,
    configure: (inout ShimConfiguration) -> Void = { _ in },
    body: (ShimPorts) async throws -> Result
) async throws -> Result {
    var configuration = ShimConfiguration(upstream: try UpstreamEndpoint(upstream), mappings: shippedMappings)
    configuration.port = 0
    configuration.adminPort = 0
    configure(&configuration)
    var logger = Logger(label: "promo-shim.test")
    logger.logLevel = .warning
    return try await ShimServer.withRunning(configuration, logger: logger, body: body)
}

/// A test upstream served on a free loopback port for the duration of a closure.
protocol TestUpstream {
    /// Runs the upstream for the duration of `body`, handing it the base URL.
    func run<Result: Sendable>(_ body: (String) async throws -> Result) async throws -> Result
}

extension TestUpstream {
    /// Runs this upstream, and the whole shim in front of it, for the duration of `body`.
    func withShim<Result: Sendable>(
        configure: (inout ShimConfiguration) -> Void = { _ in },
        body: (ShimPorts) async throws -> Result
    ) async throws -> Result {
        try await run { base in try await ShimServerTests.withShim(upstream: base, configure: configure, body: body) }
    }
}

extension RecordingUpstream: TestUpstream {}
extension CountingHTTPUpstream: TestUpstream {}
extension ScriptedTCPUpstream: TestUpstream {}
extension StreamingUpstream: TestUpstream {}
extension TLSUpstream: TestUpstream {}

/// Runs the shim in front of the sandbox vendor.
func withShimOverSandbox<Result: Sendable>(
    configure: (inout ShimConfiguration) -> Void = { _ in },
    body: (ShimPorts) async throws -> Result
) async throws -> Result {
    var logger = Logger(label: "promo-shim.test.sandbox")
    logger.logLevel = .warning
    return try await withRunningApplication({ onRunning in
        Sandbox.application(host: "127.0.0.1", port: 0, logger: logger, onServerRunning: onRunning)
    }) { port in
        try await withShim(upstream: "http://127.0.0.1:\(port)", configure: configure, body: body)
    }
}
