public import ServiceLifecycle

/// Keeps the upstream's connections open for the life of a service group and closes them after
/// the services that use them (list it before them in the group).
public struct UpstreamService: Service {
    /// The upstream whose connections the service closes.
    public let upstream: EventLoopUpstream

    /// A service that shuts `upstream` down at graceful shutdown.
    public init(upstream: EventLoopUpstream) {
        self.upstream = upstream
    }

    /// Waits for graceful shutdown, then closes the upstream's connections.
    public func run() async throws {
        try? await gracefulShutdown()
        try await upstream.shutdown()
    }
}
