import ArgumentParser
import Configuration
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import ShimCore
import ShimSandbox
import ShimServer
import UnixSignals

/// `promo-shim serve`: the proxy, in front of a vendor URL or the embedded sandbox.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Runs the proxy: legacy calls are translated, every other request passes through.",
        discussion: """
            Every option can be set by its environment variable instead; the command line wins, then the \
            environment (an empty variable counts as unset), then the default. The defaults are in the README \
            and in ShimConfiguration+ConfigReader.swift.
            """
    )

    @Option(help: "Address of the proxy listener (env SHIM_HOST).")
    var host: String?

    @Option(help: "Port of the proxy listener (env SHIM_PORT).")
    var port: Int?

    @Option(help: "The vendor's base URL, e.g. https://eucrm.cc.capillarytech.com (env SHIM_UPSTREAM).")
    var upstream: String?

    @Flag(help: "Use the embedded, in-process sandbox vendor as the upstream (env SHIM_SANDBOX=true).")
    var sandbox = false

    @Option(help: "Address of the admin listener (env SHIM_ADMIN_HOST).")
    var adminHost: String?

    @Option(help: "Port of the admin listener: /health (env SHIM_ADMIN_PORT).")
    var adminPort: Int?

    @Option(help: "Directory of the mapping tables (env SHIM_MAPPINGS).")
    var mappings: String?

    @Option(help: "Where to write the usage log of legacy calls, '-' for stdout (env SHIM_USAGE_LOG).")
    var usageLog: String?

    @Option(
        help:
            "Most usage records held in memory while the usage log cannot keep up; beyond, records are dropped and counted (env SHIM_USAGE_LOG_BUFFER_RECORDS)."
    )
    var usageLogBufferRecords: Int?

    @Option(help: "Largest legacy request body in bytes (env SHIM_MAX_BODY_BYTES).")
    var maxBodyBytes: Int?

    @Option(help: "Upstream connect timeout in ms (env SHIM_CONNECT_TIMEOUT_MS).")
    var connectTimeoutMs: Int?

    @Option(help: "Upstream overall request timeout in ms (env SHIM_REQUEST_TIMEOUT_MS).")
    var requestTimeoutMs: Int?

    @Option(help: "Upstream read timeout in ms: longest silence while waiting for response bytes (env SHIM_READ_TIMEOUT_MS).")
    var readTimeoutMs: Int?

    @Option(
        help:
            "Longest time from a request's first byte to the end of its head, in ms; 408 beyond (env SHIM_REQUEST_HEAD_TIMEOUT_MS)."
    )
    var requestHeadTimeoutMs: Int?

    @Option(help: "Longest silence while a request body is read, in ms; 408 beyond (env SHIM_REQUEST_BODY_TIMEOUT_MS).")
    var requestBodyTimeoutMs: Int?

    @Option(help: "How long an idle keep-alive connection is kept, in ms (env SHIM_IDLE_TIMEOUT_MS).")
    var idleTimeoutMs: Int?

    @Option(help: "Largest passthrough request body in bytes (env SHIM_MAX_PASSTHROUGH_BODY_BYTES).")
    var maxPassthroughBodyBytes: Int?

    @Option(help: "Most upstream calls in flight (env SHIM_MAX_CONCURRENT_UPSTREAM).")
    var maxConcurrentUpstream: Int?

    @Option(
        help: "Most passthrough requests in flight, a bound separate from legacy calls (env SHIM_MAX_CONCURRENT_PASSTHROUGH).")
    var maxConcurrentPassthrough: Int?

    @Option(
        help:
            "Close pooled upstream connections idle this many ms, before the vendor's keep-alive limit (env SHIM_UPSTREAM_IDLE_TIMEOUT_MS)."
    )
    var upstreamIdleTimeoutMs: Int?

    @Option(help: "Most calls queued for an upstream slot before a fast 503 (env SHIM_MAX_QUEUED_UPSTREAM).")
    var maxQueuedUpstream: Int?

    @Option(help: "Seconds SIGTERM waits for in-flight calls before stopping them (env SHIM_SHUTDOWN_TIMEOUT_SECONDS).")
    var shutdownTimeoutSeconds: Int?

    @Flag(
        inversion: .prefixedNo,
        help:
            "Reload the mappings when the files of their directory change, as SIGHUP does; follows a mounted Kubernetes ConfigMap (env SHIM_WATCH_MAPPINGS)."
    )
    var watchMappings: Bool?

    @Option(
        help:
            "Seconds SIGTERM keeps the proxy accepting and serving (with /ready 503 and Connection: close) before it stops accepting; a second SIGTERM or SIGINT skips it (env SHIM_DRAIN_DELAY_SECONDS)."
    )
    var drainDelaySeconds: Int?

    @Flag(
        help:
            "Do NOT verify the https upstream's certificate (test vendors only; logged loudly) (env SHIM_INSECURE_SKIP_TLS_VERIFY=true)."
    )
    var insecureSkipTlsVerify = false

    @Option(
        help: "Hold legacy calls up to this many ms to share one bulk call; 0 turns coalescing off (env SHIM_COALESCE_WINDOW_MS)."
    )
    var coalesceWindowMs: Int?

    @Option(help: "Most calls in one coalesced bulk call, 1...100 (env SHIM_COALESCE_MAX).")
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

    @Option(help: "Write {\"proxy\":PORT,\"admin\":PORT} to this file once both listeners run, for port 0 (env SHIM_PORTS_FILE).")
    var portsFile: String?

    @OptionGroup var logging: LoggingOptions

    /// The options given, by configuration key; what was not given is left to the environment and
    /// then the defaults (see `ShimConfiguration+ConfigReader.swift`).
    var commandLine: CommandLineValues {
        var values = CommandLineValues()
        values.set(.host, host)
        values.set(.port, port)
        values.set(.upstream, upstream)
        values.set(.sandbox, flag: sandbox)
        values.set(.adminHost, adminHost)
        values.set(.adminPort, adminPort)
        values.set(.mappings, mappings)
        values.set(.usageLog, usageLog)
        values.set(.usageLogBufferRecords, usageLogBufferRecords)
        values.set(.maxBodyBytes, maxBodyBytes)
        values.set(.connectTimeoutMs, connectTimeoutMs)
        values.set(.requestTimeoutMs, requestTimeoutMs)
        values.set(.readTimeoutMs, readTimeoutMs)
        values.set(.requestHeadTimeoutMs, requestHeadTimeoutMs)
        values.set(.requestBodyTimeoutMs, requestBodyTimeoutMs)
        values.set(.idleTimeoutMs, idleTimeoutMs)
        values.set(.maxPassthroughBodyBytes, maxPassthroughBodyBytes)
        values.set(.maxConcurrentUpstream, maxConcurrentUpstream)
        values.set(.maxConcurrentPassthrough, maxConcurrentPassthrough)
        values.set(.upstreamIdleTimeoutMs, upstreamIdleTimeoutMs)
        values.set(.maxQueuedUpstream, maxQueuedUpstream)
        values.set(.shutdownTimeoutSeconds, shutdownTimeoutSeconds)
        values.set(.watchMappings, watchMappings)
        values.set(.drainDelaySeconds, drainDelaySeconds)
        values.set(.insecureSkipTlsVerify, flag: insecureSkipTlsVerify)
        values.set(.coalesceWindowMs, coalesceWindowMs)
        values.set(.coalesceMax, coalesceMax)
        values.set(.deprecationDate, deprecationDate)
        values.set(.sunsetDate, sunsetDate)
        values.set(.successorUrl, successorUrl)
        values.set(.deprecationPolicyUrl, deprecationPolicyUrl)
        values.set(.customerHashKey, customerHashKey)
        values.set(.portsFile, portsFile)
        logging.add(to: &values)
        return values
    }

    func run() async throws {
        // Before anything else: SIGHUP or SIGUSR1 during start-up must not kill the shim.
        StartupSignals.ignoreUntilHandled()
        let reader = ConfigReader.shim(commandLine: commandLine)
        let logger = try LoggingOptions.makeLogger(label: "promo-shim", reader: reader)
        var configuration: ShimConfiguration
        do {
            configuration = try ShimConfiguration(reader: reader)
            try configuration.validate()
        } catch {
            throw error.forCommandLine
        }
        if configuration.usageLog != nil, configuration.customerHashKey == nil {
            logger.warning(
                "no SHIM_CUSTOMER_HASH_KEY: customer hashes use a random per-process key, so distinct-customer counts do not merge across replicas or restarts"
            )
        }

        if configuration.sandbox {
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
        let portsFile = configuration.portsFile.map(PortsFile.init(path:))
        let server = try ShimServer(
            configuration: configuration,
            logger: logger,
            onProxyRunning: { port in
                logger.notice("promo-shim listening on http://\(configuration.host):\(port)")
                Self.note(port, in: portsFile, logger: logger) { try $0.proxyListening(on: port) }
            },
            onAdminRunning: { port in
                logger.notice("admin listening on http://\(configuration.adminHost):\(port) (/health)")
                Self.note(port, in: portsFile, logger: logger) { try $0.adminListening(on: port) }
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

    /// Records a listening port in the ports file, if there is one; a file that cannot be written is
    /// logged (the shim serves on).
    private static func note(_ port: Int, in file: PortsFile?, logger: Logger, _ record: (PortsFile) throws -> Void) {
        guard let file else { return }
        do {
            try record(file)
        } catch {
            logger.error("cannot write the ports file", metadata: ["path": "\(file.path)", "error": "\(error)"])
        }
    }
}
