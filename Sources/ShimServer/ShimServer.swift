import Foundation
import Hummingbird
import HummingbirdCore
package import Logging
import NIOCore
import ServiceLifecycle
import ShimCore

/// The assembled shim: the proxy listener, the admin listener, the usage log and the upstream
/// client, run as one service. Shutdown runs in reverse: the proxy drains its in-flight calls first,
/// then the usage log writes what is left, then the upstream client closes.
package struct ShimServer: Service {
    /// The configuration the shim was assembled from.
    package let configuration: ShimConfiguration
    /// The logger the shim's services log to.
    package let logger: Logger
    /// The shim's metrics (also served on the admin listener's `/metrics`).
    package let metrics: ShimMetrics
    private let services: [any Service]
    /// Read by ``problems`` once the shim has stopped.
    let usageLog: UsageLog?
    let drainOutcome: DrainDeadline.Outcome

    /// Assembles the shim; opens the usage log, so a bad path fails here.
    /// - Parameters:
    ///   - listensForSignals: Whether a second `SIGTERM` or `SIGINT` ends the drain delay (off for
    ///     shims run inside tests, which share the process's signals).
    ///   - onProxyRunning: Called with the proxy listener's port once it accepts connections.
    ///   - onAdminRunning: Called with the admin listener's port once it accepts connections.
    package init(
        configuration: ShimConfiguration,
        logger: Logger,
        listensForSignals: Bool = true,
        onProxyRunning: @escaping @Sendable (Int) async -> Void = { _ in },
        onAdminRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws(ConfigurationError) {
        let metrics = ShimMetrics()
        metrics.recordPolicy(
            deprecationDate: configuration.deprecation.deprecationDate.timeIntervalSince1970,
            sunsetDate: configuration.deprecation.sunsetDate?.timeIntervalSince1970
        )
        let liveUsage = LiveUsage(sunsetDate: configuration.deprecation.sunsetDate)
        var historyLoader: UsageHistoryLoader?
        if case .file(let path) = configuration.usageLog {
            historyLoader = UsageHistoryLoader(path: path, liveUsage: liveUsage, logger: logger)
        }
        let usageLog = try configuration.usageLog.map { destination throws(ConfigurationError) in
            try UsageLog(
                destination: destination, capacity: configuration.usageLogBufferRecords,
                finalFlushTimeout: configuration.shutdownTimeout, metrics: metrics, logger: logger
            )
        }
        let drainDelay = DrainDelay(duration: configuration.drainDelay)
        let readiness = Readiness(usageLog: usageLog, drainDelay: drainDelay)
        let upstream = EventLoopUpstream(
            endpoint: configuration.upstream,
            timeouts: configuration.timeouts,
            maxConnections: configuration.maxConcurrentUpstreamCalls,
            maxStreamingConnections: configuration.maxConcurrentPassthroughCalls,
            verifyCertificates: configuration.verifyUpstreamCertificates,
            logger: logger
        )
        if !configuration.verifyUpstreamCertificates {
            logger.critical(
                "TLS certificate verification of the upstream is OFF: anyone on the path can impersonate the vendor and read every caller's credentials"
            )
        }
        let limiter = ConcurrencyLimiter(
            maxConcurrent: configuration.maxConcurrentUpstreamCalls,
            maxQueued: configuration.maxQueuedUpstreamCalls
        )
        let store = MappingStore(
            configuration.mappings, directory: configuration.mappingsDirectory, metrics: metrics,
            sunset: configuration.deprecation.sunsetMilliseconds
        )
        let handler = LegacyIssueHandler(
            upstream: upstream,
            store: store,
            maxBodyBytes: configuration.maxLegacyBodyBytes,
            limiter: limiter,
            metrics: metrics,
            coalescer: configuration.coalesceWindow > .zero
                ? Coalescer(
                    upstream: upstream, window: configuration.coalesceWindow, maxBatch: configuration.coalesceMax,
                    metrics: metrics, logger: logger
                ) : nil,
            requestTimeout: configuration.timeouts.request,
            clock: configuration.clock
        )
        let legacy = LegacyIssueEndpoint(
            handler: handler,
            deprecation: configuration.deprecation,
            usageLog: usageLog,
            metrics: metrics,
            customerHasher: CustomerHasher(secret: configuration.customerHashKey),
            liveUsage: liveUsage
        )
        let passthrough = PassthroughResponder(
            upstream: upstream,
            store: store,
            metrics: metrics,
            limiter: ConcurrencyLimiter(
                maxConcurrent: configuration.maxConcurrentPassthroughCalls,
                maxQueued: configuration.maxQueuedUpstreamCalls
            ),
            maxBodyBytes: configuration.maxPassthroughBodyBytes
        )
        let proxy = ProxyListener(
            host: configuration.host,
            port: configuration.port,
            services: ProxyServices(
                legacy: legacy, passthrough: passthrough, dateCache: HTTPDateCache(), drainDelay: drainDelay,
                logger: logger
            ),
            timeouts: RequestReadStateMachine.Timeouts(
                head: TimeAmount(configuration.requestHeadTimeout), body: TimeAmount(configuration.requestBodyTimeout)
            ),
            idleTimeout: configuration.idleTimeout,
            drainDelay: drainDelay,
            listensForSignals: listensForSignals,
            onRunning: onProxyRunning
        )
        let admin = Application(
            router: AdminRouter.make(
                metrics: metrics, readiness: readiness, liveUsage: liveUsage, store: store,
                requestPolicy: AdminRequestPolicy(adminHost: configuration.adminHost), logger: logger
            ),
            configuration: .init(address: .hostname(configuration.adminHost, port: configuration.adminPort)),
            onServerRunning: { channel in await onAdminRunning(channel.localAddress?.port ?? configuration.adminPort) },
            logger: logger
        )
        let drainOutcome = DrainDeadline.Outcome()
        var services: [any Service] = [UpstreamService(upstream: upstream)]
        if let historyLoader { services.append(historyLoader) }
        if let usageLog { services.append(usageLog) }
        services += [
            ReopenSignalListener(usageLog: usageLog, logger: logger),
            UpstreamProbe(upstream: upstream, readiness: readiness, logger: logger),
            MappingReloader(store: store, logger: logger),
        ]
        if configuration.watchMappings {
            services.append(MappingWatcher(store: store, interval: configuration.watchMappingsInterval, logger: logger))
        }
        services += [
            admin,
            DrainDeadline(
                proxy: proxy, upstream: upstream, drainDelay: drainDelay,
                limit: DrainDeadline.limit(forShutdownTimeout: configuration.shutdownTimeout),
                outcome: drainOutcome, logger: logger
            ),
        ]
        self.configuration = configuration
        self.logger = logger
        self.metrics = metrics
        self.services = services
        self.usageLog = usageLog
        self.drainOutcome = drainOutcome
    }

    /// Runs until graceful shutdown (of the enclosing service group) or cancellation, then drains and stops.
    package func run() async throws {
        try await ServiceGroup(configuration: .init(services: services, logger: logger)).run()
    }
}
