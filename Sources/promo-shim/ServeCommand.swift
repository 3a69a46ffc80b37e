import ArgumentParser
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals
import ShimCore
import ShimSandbox
import ShimServer

/// `promo-shim serve`: the proxy, in front of a vendor URL or the embedded sandbox.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Runs the proxy: legacy calls are translated, every other request passes through."
    )

    @Option(help: "Address of the proxy listener (env SHIM_HOST; default 127.0.0.1).")
    var host: String?

    @Option(help: "Port of the proxy listener (env SHIM_PORT; default 8080).")
    var port: Int?

    @Option(help: "The vendor's base URL, e.g. https://eucrm.cc.capillarytech.com (env SHIM_UPSTREAM).")
    var upstream: String?

    @Flag(help: "Use the embedded, in-process sandbox vendor as the upstream (env SHIM_SANDBOX=true).")
    var sandbox = false

    @Option(help: "Address of the admin listener (env SHIM_ADMIN_HOST; default 127.0.0.1).")
    var adminHost: String?

    @Option(help: "Port of the admin listener: /health (env SHIM_ADMIN_PORT; default 9901).")
    var adminPort: Int?

    @Option(help: "Directory of the mapping tables (env SHIM_MAPPINGS; default ./mappings).")
    var mappings: String?

    @Option(help: "Where to write the usage log of legacy calls, '-' for stdout (env SHIM_USAGE_LOG).")
    var usageLog: String?

    @Option(help: "Most usage records held in memory while the usage log cannot keep up; beyond, records are dropped and counted (env SHIM_USAGE_LOG_BUFFER_RECORDS; default 10000).")
    var usageLogBufferRecords: Int?

    @Option(help: "Largest legacy request body in bytes (env SHIM_MAX_BODY_BYTES; default 16384).")
    var maxBodyBytes: Int?

    @Option(help: "Upstream connect timeout in ms (env SHIM_CONNECT_TIMEOUT_MS; default 2000).")
    var connectTimeoutMs: Int?

    @Option(help: "Upstream overall request timeout in ms (env SHIM_REQUEST_TIMEOUT_MS; default 15000).")
    var requestTimeoutMs: Int?

    @Option(help: "Upstream read timeout in ms: longest silence while waiting for response bytes (env SHIM_READ_TIMEOUT_MS; default 10000).")
    var readTimeoutMs: Int?

    @Option(help: "Longest time from a request's first byte to the end of its head, in ms; 408 beyond (env SHIM_REQUEST_HEAD_TIMEOUT_MS; default 10000).")
    var requestHeadTimeoutMs: Int?

    @Option(help: "Longest silence while a request body is read, in ms; 408 beyond (env SHIM_REQUEST_BODY_TIMEOUT_MS; default 10000).")
    var requestBodyTimeoutMs: Int?

    @Option(help: "How long an idle keep-alive connection is kept, in ms (env SHIM_IDLE_TIMEOUT_MS; default 60000).")
    var idleTimeoutMs: Int?

    @Option(help: "Largest passthrough request body in bytes (env SHIM_MAX_PASSTHROUGH_BODY_BYTES; default 10485760).")
    var maxPassthroughBodyBytes: Int?

    @Option(help: "Most upstream calls in flight (env SHIM_MAX_CONCURRENT_UPSTREAM; default 512).")
    var maxConcurrentUpstream: Int?

    @Option(help: "Most passthrough requests in flight, a bound separate from legacy calls (env SHIM_MAX_CONCURRENT_PASSTHROUGH; default 512).")
    var maxConcurrentPassthrough: Int?

    @Option(help: "Close pooled upstream connections idle this many ms, before the vendor's keep-alive limit (env SHIM_UPSTREAM_IDLE_TIMEOUT_MS; default 4000).")
    var upstreamIdleTimeoutMs: Int?

    @Option(help: "Most calls queued for an upstream slot before a fast 503 (env SHIM_MAX_QUEUED_UPSTREAM; default 2048).")
    var maxQueuedUpstream: Int?

    @Option(help: "Seconds SIGTERM waits for in-flight calls before stopping them (env SHIM_SHUTDOWN_TIMEOUT_SECONDS; default 25).")
    var shutdownTimeoutSeconds: Int?

    @Flag(inversion: .prefixedNo, help: "Reload the mappings when the files of their directory change, as SIGHUP does; follows a mounted Kubernetes ConfigMap (env SHIM_WATCH_MAPPINGS; default on).")
    var watchMappings: Bool?

    @Option(help: "Seconds SIGTERM keeps the proxy accepting and serving (with /ready 503 and Connection: close) before it stops accepting; a second SIGTERM or SIGINT skips it (env SHIM_DRAIN_DELAY_SECONDS; default 5).")
    var drainDelaySeconds: Int?

    @Flag(help: "Do NOT verify the https upstream's certificate (test vendors only; logged loudly) (env SHIM_INSECURE_SKIP_TLS_VERIFY=true).")
    var insecureSkipTlsVerify = false

    @Option(help: "Hold legacy calls up to this many ms to share one bulk call; 0 turns coalescing off (env SHIM_COALESCE_WINDOW_MS; default 0).")
    var coalesceWindowMs: Int?

    @Option(help: "Most calls in one coalesced bulk call, 1...100 (env SHIM_COALESCE_MAX; default 10).")
    var coalesceMax: Int?

    @Option(help: "Deprecation date, RFC 3339 (env SHIM_DEPRECATION_DATE; default \(DeprecationPolicy.defaultDeprecationDate)).")
    var deprecationDate: String?

    @Option(help: "Sunset date, RFC 3339; no Sunset header without it (env SHIM_SUNSET_DATE).")
    var sunsetDate: String?

    @Option(help: "Documentation of the successor, sent as Link rel=successor-version (env SHIM_SUCCESSOR_URL).")
    var successorUrl: String?

    @Option(help: "A page about the deprecation, sent as Link rel=deprecation (env SHIM_DEPRECATION_POLICY_URL).")
    var deprecationPolicyUrl: String?

    @Option(help: "Key of the customer hash in usage records; set the same on every replica (env SHIM_CUSTOMER_HASH_KEY).")
    var customerHashKey: String?

    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        // Before anything else: SIGHUP or SIGUSR1 during start-up must not kill the shim.
        StartupSignals.ignoreUntilHandled()
        let logger = try logging.makeLogger(label: "promo-shim")
        let environment = EnvironmentReader()
        let useSandbox = try environment.flag(sandbox, "SHIM_SANDBOX")
        let upstreamURL = environment.string(upstream, "SHIM_UPSTREAM")
        if useSandbox, upstreamURL != nil {
            throw ValidationError("--sandbox and --upstream (SHIM_UPSTREAM) exclude each other: choose one")
        }
        if !useSandbox, upstreamURL == nil {
            throw ValidationError(
                "no upstream: pass --upstream BASE_URL (or SHIM_UPSTREAM) for the vendor, or --sandbox for the embedded simulation"
            )
        }
        let mappingsDirectory = environment.string(mappings, "SHIM_MAPPINGS") ?? "mappings"
        let mappingSet: MappingSet
        do {
            // A consistent set, even while Kubernetes swaps a mounted ConfigMap.
            mappingSet = try MappingSet(directory: MappingStore.snapshot(of: mappingsDirectory))
        } catch {
            throw ValidationError("invalid mappings: \(error)")
        }
        var configuration = ShimConfiguration(
            upstream: try UpstreamEndpoint(upstreamURL ?? "http://127.0.0.1:1"),
            mappings: mappingSet
        )
        configuration.mappingsDirectory = mappingsDirectory
        configuration.host = environment.string(host, "SHIM_HOST") ?? configuration.host
        configuration.port = try environment.int(port, "SHIM_PORT", default: configuration.port)
        configuration.adminHost = environment.string(adminHost, "SHIM_ADMIN_HOST") ?? configuration.adminHost
        configuration.adminPort = try environment.int(adminPort, "SHIM_ADMIN_PORT", default: configuration.adminPort)
        configuration.maxLegacyBodyBytes = try environment.int(
            maxBodyBytes, "SHIM_MAX_BODY_BYTES", default: configuration.maxLegacyBodyBytes
        )
        configuration.timeouts.connect = .milliseconds(
            Int64(try environment.int(connectTimeoutMs, "SHIM_CONNECT_TIMEOUT_MS", default: 2000))
        )
        configuration.timeouts.request = .milliseconds(
            Int64(try environment.int(requestTimeoutMs, "SHIM_REQUEST_TIMEOUT_MS", default: 15000))
        )
        configuration.timeouts.read = .milliseconds(
            Int64(try environment.int(readTimeoutMs, "SHIM_READ_TIMEOUT_MS", default: 10000))
        )
        configuration.requestHeadTimeout = .milliseconds(
            try environment.int(requestHeadTimeoutMs, "SHIM_REQUEST_HEAD_TIMEOUT_MS", default: 10000)
        )
        configuration.requestBodyTimeout = .milliseconds(
            try environment.int(requestBodyTimeoutMs, "SHIM_REQUEST_BODY_TIMEOUT_MS", default: 10000)
        )
        configuration.idleTimeout = .milliseconds(try environment.int(idleTimeoutMs, "SHIM_IDLE_TIMEOUT_MS", default: 60000))
        configuration.maxPassthroughBodyBytes = try environment.int(
            maxPassthroughBodyBytes, "SHIM_MAX_PASSTHROUGH_BODY_BYTES", default: configuration.maxPassthroughBodyBytes
        )
        configuration.maxConcurrentUpstreamCalls = try environment.int(
            maxConcurrentUpstream, "SHIM_MAX_CONCURRENT_UPSTREAM", default: configuration.maxConcurrentUpstreamCalls
        )
        configuration.maxConcurrentPassthroughCalls = try environment.int(
            maxConcurrentPassthrough, "SHIM_MAX_CONCURRENT_PASSTHROUGH", default: configuration.maxConcurrentPassthroughCalls
        )
        configuration.timeouts.idle = .milliseconds(
            Int64(try environment.int(upstreamIdleTimeoutMs, "SHIM_UPSTREAM_IDLE_TIMEOUT_MS", default: 4000))
        )
        configuration.maxQueuedUpstreamCalls = try environment.int(
            maxQueuedUpstream, "SHIM_MAX_QUEUED_UPSTREAM", default: configuration.maxQueuedUpstreamCalls
        )
        configuration.verifyUpstreamCertificates = !(try environment.flag(insecureSkipTlsVerify, "SHIM_INSECURE_SKIP_TLS_VERIFY"))
        let windowMs = try environment.int(coalesceWindowMs, "SHIM_COALESCE_WINDOW_MS", default: 0)
        configuration.coalesceWindow = .milliseconds(windowMs)
        configuration.coalesceMax = try environment.int(coalesceMax, "SHIM_COALESCE_MAX", default: 10)
        configuration.shutdownTimeout = .seconds(
            try environment.int(shutdownTimeoutSeconds, "SHIM_SHUTDOWN_TIMEOUT_SECONDS", default: 25)
        )
        configuration.watchMappings = try watchMappings ?? environment.flag(false, "SHIM_WATCH_MAPPINGS", default: true)
        configuration.drainDelay = .seconds(
            try environment.int(drainDelaySeconds, "SHIM_DRAIN_DELAY_SECONDS", default: 5)
        )
        configuration.usageLogBufferRecords = try environment.int(
            usageLogBufferRecords, "SHIM_USAGE_LOG_BUFFER_RECORDS", default: configuration.usageLogBufferRecords
        )
        configuration.deprecation = try DeprecationPolicy(
            deprecationDate: environment.string(deprecationDate, "SHIM_DEPRECATION_DATE")
                ?? DeprecationPolicy.defaultDeprecationDate,
            sunsetDate: environment.string(sunsetDate, "SHIM_SUNSET_DATE"),
            successorURL: environment.string(successorUrl, "SHIM_SUCCESSOR_URL") ?? DeprecationPolicy.defaultSuccessorURL,
            policyURL: environment.string(deprecationPolicyUrl, "SHIM_DEPRECATION_POLICY_URL")
        )
        if let path = environment.string(usageLog, "SHIM_USAGE_LOG") {
            configuration.usageLog = path == "-" ? .standardOutput : .file(path)
        }
        configuration.customerHashKey = environment.string(customerHashKey, "SHIM_CUSTOMER_HASH_KEY")
        do {
            try configuration.validate()
        } catch {
            throw ValidationError(error.description)
        }
        if configuration.usageLog != nil, configuration.customerHashKey == nil {
            logger.warning(
                "no SHIM_CUSTOMER_HASH_KEY: customer hashes use a random per-process key, so distinct-customer counts do not merge across replicas or restarts"
            )
        }

        if useSandbox {
            try await withRunningApplication({ onRunning in
                Sandbox.application(host: "127.0.0.1", port: 0, logger: logger, onServerRunning: onRunning)
            }) { sandboxPort in
                configuration.upstream = try UpstreamEndpoint("http://127.0.0.1:\(sandboxPort)")
                logger.notice("upstream: embedded sandbox vendor at \(configuration.upstream) (demo data, see README)")
                try await serve(configuration, logger: logger)
            }
        } else {
            logger.notice("upstream: \(configuration.upstream)")
            try await serve(configuration, logger: logger)
        }
    }

    private func serve(_ configuration: ShimConfiguration, logger: Logger) async throws {
        let server = try ShimServer(
            configuration: configuration,
            logger: logger,
            onProxyRunning: { port in
                logger.notice("promo-shim listening on http://\(configuration.host):\(port)")
            },
            onAdminRunning: { port in
                logger.notice("admin listening on http://\(configuration.adminHost):\(port) (/health)")
            }
        )
        // Tracing (off unless OTEL_TRACES_EXPORTER asks for it) starts before the server and stops
        // after it, so the spans of the last calls are exported.
        let tracing = try ShimTracing.bootstrap(environment: ProcessInfo.processInfo.environment, logger: logger)
        var groupConfiguration = ServiceGroupConfiguration(
            services: (tracing.map { [ServiceGroupConfiguration.ServiceConfiguration(service: $0)] } ?? [])
                + [.init(service: server)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        // The drain delay comes first, then the drain the shutdown timeout bounds.
        groupConfiguration.maximumGracefulShutdownDuration = configuration.drainDelay + configuration.shutdownTimeout
        let group = ServiceGroup(configuration: groupConfiguration)
        var failure: (any Error)?
        do {
            try await group.run()
        } catch {
            failure = error
        }
        let problems = server.problems
        if let status = ExitStatus(problems) {
            logger.error(
                "promo-shim stopped with problems",
                metadata: ["problems": "\(problems)", "exit.status": "\(status.code)"]
            )
            throw ExitCode(status.code)
        }
        if let failure { throw failure }
    }
}
