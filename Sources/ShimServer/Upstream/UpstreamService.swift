import ServiceLifecycle

/// Keeps the upstream's connections open for the life of a service group and closes them after
/// the services that use them (list it before them in the group).
package struct UpstreamService: Service {
    /// The upstream whose connections the service closes.
    package let upstream: EventLoopUpstream

    /// A service that shuts `upstream` down at graceful shutdown.
    package init(upstream: EventLoopUpstream) {
        self.upstream = upstream
    }

    /// Waits for graceful shutdown, then closes the upstream's connections.
    package func run() async throws {
        try? await gracefulShutdown()
        try await upstream.shutdown()
    }
}
