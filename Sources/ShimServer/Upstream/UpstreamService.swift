public import ServiceLifecycle

/// Keeps the upstream's connections open for the life of a service group and closes them after
/// the services that use them (list it before them in the group).
public struct UpstreamService: Service {
    public let upstream: EventLoopUpstream

    public init(upstream: EventLoopUpstream) {
        self.upstream = upstream
    }

    public func run() async throws {
        try? await gracefulShutdown()
        try await upstream.shutdown()
    }
}
