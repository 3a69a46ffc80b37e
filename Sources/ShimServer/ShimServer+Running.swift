public import Logging
import ServiceLifecycle

extension ShimServer {
    /// Ports of a running shim.
    public struct Ports: Sendable {
        public var proxy: Int
        public var admin: Int

        public init(proxy: Int, admin: Int) {
            self.proxy = proxy
            self.admin = admin
        }

        public var proxyURL: String { "http://127.0.0.1:\(proxy)" }
        public var adminURL: String { "http://127.0.0.1:\(admin)" }
    }

    /// Runs a shim for the duration of `body` (ports 0 pick free ones), then shuts it down gracefully,
    /// without a drain delay (no load balancer sends it traffic) and without listening for signals.
    /// For tools that need a shim in-process: `compare --sandbox`, and tests.
    public static func withRunning<Result: Sendable>(
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
                result = .success(try await body(Ports(proxy: proxy, admin: admin)))
            } catch {
                result = .failure(error)
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return try result.get()
        }
    }
}
