import Hummingbird
public import Logging
public import ServiceLifecycle
import ShimCore

/// The assembled shim: the proxy listener, the admin listener and the upstream client, run as one
/// service (the client is shut down last, after the listeners have drained).
public struct ShimServer: Service {
    public let configuration: ShimConfiguration
    public let logger: Logger
    private let services: [any Service]

    /// Assembles the shim.
    /// - Parameters:
    ///   - onProxyRunning: Called with the proxy listener's port once it accepts connections.
    ///   - onAdminRunning: Called with the admin listener's port once it accepts connections.
    public init(
        configuration: ShimConfiguration,
        logger: Logger,
        onProxyRunning: @escaping @Sendable (Int) async -> Void = { _ in },
        onAdminRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        let upstream = HTTPClientUpstream(
            endpoint: configuration.upstream,
            timeouts: configuration.timeouts,
            maxConnections: configuration.maxUpstreamConnections
        )
        let handler = LegacyIssueHandler(
            upstream: upstream,
            mappings: configuration.mappings,
            maxBodyBytes: configuration.maxLegacyBodyBytes
        )
        let responder = ShimResponder(
            legacy: LegacyIssueMiddleware(handler: handler),
            passthrough: PassthroughResponder(upstream: upstream, codes: configuration.mappings.codes)
        )
        let proxy = Application(
            responder: responder,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
            onServerRunning: { channel in await onProxyRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger
        )
        let admin = Application(
            router: AdminRouter.make(),
            configuration: .init(address: .hostname(configuration.adminHost, port: configuration.adminPort)),
            onServerRunning: { channel in await onAdminRunning(channel.localAddress?.port ?? configuration.adminPort) },
            logger: logger
        )
        self.configuration = configuration
        self.logger = logger
        self.services = [HTTPClientService(client: upstream.client), admin, proxy]
    }

    /// Runs until graceful shutdown (of the enclosing service group) or cancellation, then drains and stops.
    public func run() async throws {
        try await ServiceGroup(configuration: .init(services: services, logger: logger)).run()
    }
}
