import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import ShimCore
import ShimSandbox
import ShimServer

/// The repository's `mappings/`, as shipped.
let shippedMappings: MappingSet = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    return try! MappingSet(directory: root.appendingPathComponent("mappings").path)
}()

/// Ports of a running shim.
struct ShimPorts: Sendable {
    var proxy: Int
    var admin: Int

    var proxyURL: String { "http://127.0.0.1:\(proxy)" }
    var adminURL: String { "http://127.0.0.1:\(admin)" }
}

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
    let (proxyPorts, proxyContinuation) = AsyncStream.makeStream(of: Int.self)
    let (adminPorts, adminContinuation) = AsyncStream.makeStream(of: Int.self)
    var logger = Logger(label: "promo-shim.test")
    logger.logLevel = .warning
    let server = try ShimServer(
        configuration: configuration,
        logger: logger,
        onProxyRunning: { proxyContinuation.yield($0) },
        onAdminRunning: { adminContinuation.yield($0) }
    )
    let group = ServiceGroup(services: [server], gracefulShutdownSignals: [], logger: logger)
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask {
            defer {
                proxyContinuation.finish()
                adminContinuation.finish()
            }
            try await group.run()
        }
        var proxyIterator = proxyPorts.makeAsyncIterator()
        var adminIterator = adminPorts.makeAsyncIterator()
        guard let proxy = await proxyIterator.next(), let admin = await adminIterator.next() else {
            try await tasks.next()
            throw CancellationError()
        }
        let result: Swift.Result<Result, any Error>
        do {
            result = .success(try await body(ShimPorts(proxy: proxy, admin: admin)))
        } catch {
            result = .failure(error)
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
        return try result.get()
    }
}

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
