package import Logging
import ServiceLifecycle

extension ShimServer {
    /// Ports of a running shim.
    package struct Ports: Sendable {
        /// The proxy listener's port.
        package var proxy: Int
        /// The admin listener's port.
        package var admin: Int

        /// The two listeners' ports.
        package init(proxy: Int, admin: Int) {
            self.proxy = proxy
            self.admin = admin
        }

        /// The proxy listener's base URL on the loopback address.
        package var proxyURL: String { "http://127.0.0.1:\(proxy)" }
        /// The admin listener's base URL on the loopback address.
        package var adminURL: String { "http://127.0.0.1:\(admin)" }
    }

    /// Runs a shim for the duration of `body` (ports 0 pick free ones), then shuts it down gracefully,
    /// without a drain delay (no load balancer sends it traffic) and without listening for signals.
    /// For tools that need a shim in-process: `compare --sandbox`, and tests.
    package static func withRunning<Result: Sendable>(
        _ configuration: ShimConfiguration,
        logger: Logger,
        body: (Ports) async throws -> Result
    ) async throws -> Result {
        let (proxyPorts, proxyContinuation) = AsyncStream.makeStream(of: Int.self)
        let (adminPorts, adminContinuation) = AsyncStream.makeStream(of: Int.self)
        var configuration = configuration
        configuration.drainDelay = .zero
        let server = try ShimServer(
            configuration: configuration,
            logger: logger,
            listensForSignals: false,
            onProxyRunning: { proxyContinuation.yield($0) },
            onAdminRunning: { adminContinuation.yield($0) }
        )
        var proxyIterator = proxyPorts.makeAsyncIterator()
        var adminIterator = adminPorts.makeAsyncIterator()
        return try await withRunningService(
            server, logger: logger,
            untilReady: { () async -> Ports? in
                guard let proxy = await proxyIterator.next(), let admin = await adminIterator.next() else { return nil }
                return Ports(proxy: proxy, admin: admin)
            },
            onStopped: {
                proxyContinuation.finish()
                adminContinuation.finish()
            },
            body: body
        )
    }
}
