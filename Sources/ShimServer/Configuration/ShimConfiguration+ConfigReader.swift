package import Configuration
import NIOCore
import ShimCore

// The one table of `promo-shim`'s settings. Each key lives under the `shim` scope of the reader
// from `ConfigReader.shim(commandLine:environment:)` and has one precedence: the command line, then
// the environment (an empty variable counts as unset), then the default. The defaults live once, in
// the types the keys fill (`ShimConfiguration`, `SandboxConfiguration`, `LoggingConfiguration`,
// `HealthcheckConfiguration`, `DeprecationPolicy`); the table repeats them for the reader, as the
// README does for operators. Ranges are checked once, by `ShimConfiguration.validate()`.
// OTEL_* variables are the OpenTelemetry standard's and are read by `ShimTracing`, not here.

extension ConfigurationKey {
    // Each entry: `key`: option, environment variable; type; default. Meaning.
    /// `sandbox`: `--sandbox`, `SHIM_SANDBOX`; flag; default off. Use the embedded, in-process sandbox vendor
    /// as the upstream; excludes `upstream`.
    package static let sandbox = Self("sandbox", option: "--sandbox", environmentVariable: "SHIM_SANDBOX")
    /// `upstream`: `--upstream`, `SHIM_UPSTREAM`; http(s) URL; default none: required without `sandbox`. The
    /// vendor's base URL.
    package static let upstream = Self("upstream", option: "--upstream", environmentVariable: "SHIM_UPSTREAM")
    /// `host`: `--host`, `SHIM_HOST`; string; default `127.0.0.1`. Address of the proxy listener.
    package static let host = Self("host", option: "--host", environmentVariable: "SHIM_HOST")
    /// `port`: `--port`, `SHIM_PORT`; int, 0...65535; default 8080. Port of the proxy listener; 0 picks a free one.
    package static let port = Self("port", option: "--port", environmentVariable: "SHIM_PORT")
    /// `adminHost`: `--admin-host`, `SHIM_ADMIN_HOST`; string; default `127.0.0.1`. Address of the admin listener.
    package static let adminHost = Self("adminHost", option: "--admin-host", environmentVariable: "SHIM_ADMIN_HOST")
    /// `adminPort`: `--admin-port`, `SHIM_ADMIN_PORT`; int, 0...65535; default 9901. Port of the admin listener
    /// (`/health`); also where `healthcheck --port` asks.
    package static let adminPort = Self("adminPort", option: "--admin-port", environmentVariable: "SHIM_ADMIN_PORT")
    /// `mappings`: `--mappings`, `SHIM_MAPPINGS`; path; default `mappings`. Directory of the mapping tables.
    package static let mappings = Self("mappings", option: "--mappings", environmentVariable: "SHIM_MAPPINGS")
    /// `usageLog`: `--usage-log`, `SHIM_USAGE_LOG`; path; default none. Usage log of legacy calls; `-` for stdout.
    package static let usageLog = Self("usageLog", option: "--usage-log", environmentVariable: "SHIM_USAGE_LOG")
    /// `usageLogBufferRecords`: `--usage-log-buffer-records`, `SHIM_USAGE_LOG_BUFFER_RECORDS`; int, at least 1;
    /// default 10000. Usage records held while the log cannot keep up; beyond, dropped and counted.
    package static let usageLogBufferRecords = Self(
        "usageLogBufferRecords", option: "--usage-log-buffer-records", environmentVariable: "SHIM_USAGE_LOG_BUFFER_RECORDS"
    )
    /// `maxBodyBytes`: `--max-body-bytes`, `SHIM_MAX_BODY_BYTES`; int, at least 1; default 16384. Largest
    /// legacy request body (413 beyond).
    package static let maxBodyBytes = Self(
        "maxBodyBytes", option: "--max-body-bytes", environmentVariable: "SHIM_MAX_BODY_BYTES"
    )
    /// `connectTimeoutMs`: `--connect-timeout-ms`, `SHIM_CONNECT_TIMEOUT_MS`; ms, at least 1; default 2000.
    /// Upstream connect timeout.
    package static let connectTimeoutMs = Self(
        "connectTimeoutMs", option: "--connect-timeout-ms", environmentVariable: "SHIM_CONNECT_TIMEOUT_MS"
    )
    /// `requestTimeoutMs`: `--request-timeout-ms`, `SHIM_REQUEST_TIMEOUT_MS`; ms, at least 1; default 15000. A
    /// legacy call's deadline; a passthrough request's upstream timeout.
    package static let requestTimeoutMs = Self(
        "requestTimeoutMs", option: "--request-timeout-ms", environmentVariable: "SHIM_REQUEST_TIMEOUT_MS"
    )
    /// `readTimeoutMs`: `--read-timeout-ms`, `SHIM_READ_TIMEOUT_MS`; ms, at least 1; default 10000. Longest
    /// upstream silence while reading.
    package static let readTimeoutMs = Self(
        "readTimeoutMs", option: "--read-timeout-ms", environmentVariable: "SHIM_READ_TIMEOUT_MS"
    )
    /// `requestHeadTimeoutMs`: `--request-head-timeout-ms`, `SHIM_REQUEST_HEAD_TIMEOUT_MS`; ms, at least 1;
    /// default 10000. First byte to end of a request head (408 beyond).
    package static let requestHeadTimeoutMs = Self(
        "requestHeadTimeoutMs", option: "--request-head-timeout-ms", environmentVariable: "SHIM_REQUEST_HEAD_TIMEOUT_MS"
    )
    /// `requestBodyTimeoutMs`: `--request-body-timeout-ms`, `SHIM_REQUEST_BODY_TIMEOUT_MS`; ms, at least 1;
    /// default 10000. Longest silence while a request body is read (408 beyond).
    package static let requestBodyTimeoutMs = Self(
        "requestBodyTimeoutMs", option: "--request-body-timeout-ms", environmentVariable: "SHIM_REQUEST_BODY_TIMEOUT_MS"
    )
    /// `idleTimeoutMs`: `--idle-timeout-ms`, `SHIM_IDLE_TIMEOUT_MS`; ms, at least 1; default 60000. How long a
    /// caller's keep-alive connection may idle.
    package static let idleTimeoutMs = Self(
        "idleTimeoutMs", option: "--idle-timeout-ms", environmentVariable: "SHIM_IDLE_TIMEOUT_MS"
    )
    /// `maxPassthroughBodyBytes`: `--max-passthrough-body-bytes`, `SHIM_MAX_PASSTHROUGH_BODY_BYTES`; int, at
    /// least 1; default 10485760. Largest passthrough request body.
    package static let maxPassthroughBodyBytes = Self(
        "maxPassthroughBodyBytes", option: "--max-passthrough-body-bytes", environmentVariable: "SHIM_MAX_PASSTHROUGH_BODY_BYTES"
    )
    /// `maxConcurrentUpstream`: `--max-concurrent-upstream`, `SHIM_MAX_CONCURRENT_UPSTREAM`; int, at least 1;
    /// default 512. Translation-path upstream calls in flight.
    package static let maxConcurrentUpstream = Self(
        "maxConcurrentUpstream", option: "--max-concurrent-upstream", environmentVariable: "SHIM_MAX_CONCURRENT_UPSTREAM"
    )
    /// `maxConcurrentPassthrough`: `--max-concurrent-passthrough`, `SHIM_MAX_CONCURRENT_PASSTHROUGH`; int, at
    /// least 1; default 512. Passthrough requests in flight.
    package static let maxConcurrentPassthrough = Self(
        "maxConcurrentPassthrough", option: "--max-concurrent-passthrough", environmentVariable: "SHIM_MAX_CONCURRENT_PASSTHROUGH"
    )
    /// `upstreamIdleTimeoutMs`: `--upstream-idle-timeout-ms`, `SHIM_UPSTREAM_IDLE_TIMEOUT_MS`; ms, at least 1;
    /// default 4000. Pooled upstream connections idle this long are closed.
    package static let upstreamIdleTimeoutMs = Self(
        "upstreamIdleTimeoutMs", option: "--upstream-idle-timeout-ms", environmentVariable: "SHIM_UPSTREAM_IDLE_TIMEOUT_MS"
    )
    /// `maxQueuedUpstream`: `--max-queued-upstream`, `SHIM_MAX_QUEUED_UPSTREAM`; int, at least 0; default 2048.
    /// Calls waiting for an upstream slot before a fast 503.
    package static let maxQueuedUpstream = Self(
        "maxQueuedUpstream", option: "--max-queued-upstream", environmentVariable: "SHIM_MAX_QUEUED_UPSTREAM"
    )
    /// `shutdownTimeoutSeconds`: `--shutdown-timeout-seconds`, `SHIM_SHUTDOWN_TIMEOUT_SECONDS`; s, at least 1;
    /// default 25. How long SIGTERM waits for in-flight calls, after the drain delay.
    package static let shutdownTimeoutSeconds = Self(
        "shutdownTimeoutSeconds", option: "--shutdown-timeout-seconds", environmentVariable: "SHIM_SHUTDOWN_TIMEOUT_SECONDS"
    )
    /// `watchMappings`: `--watch-mappings`, `SHIM_WATCH_MAPPINGS`; flag (`--no-watch-mappings`); default on.
    /// Reload the mappings when their directory changes.
    package static let watchMappings = Self(
        "watchMappings", option: "--watch-mappings", environmentVariable: "SHIM_WATCH_MAPPINGS"
    )
    /// `drainDelaySeconds`: `--drain-delay-seconds`, `SHIM_DRAIN_DELAY_SECONDS`; s, at least 0; default 5. How
    /// long SIGTERM keeps accepting and serving before the drain.
    package static let drainDelaySeconds = Self(
        "drainDelaySeconds", option: "--drain-delay-seconds", environmentVariable: "SHIM_DRAIN_DELAY_SECONDS"
    )
    /// `insecureSkipTlsVerify`: `--insecure-skip-tls-verify`, `SHIM_INSECURE_SKIP_TLS_VERIFY`; flag; default
    /// off. Do not verify the https upstream's certificate (test vendors only).
    package static let insecureSkipTlsVerify = Self(
        "insecureSkipTlsVerify", option: "--insecure-skip-tls-verify", environmentVariable: "SHIM_INSECURE_SKIP_TLS_VERIFY"
    )
    /// `coalesceWindowMs`: `--coalesce-window-ms`, `SHIM_COALESCE_WINDOW_MS`; ms, 0 or more, under
    /// `requestTimeoutMs`; default 0 (off). How long a legacy call may wait to share a bulk call.
    package static let coalesceWindowMs = Self(
        "coalesceWindowMs", option: "--coalesce-window-ms", environmentVariable: "SHIM_COALESCE_WINDOW_MS"
    )
    /// `coalesceMax`: `--coalesce-max`, `SHIM_COALESCE_MAX`; int, 1...100; default 10. Most calls in one
    /// coalesced bulk call.
    package static let coalesceMax = Self(
        "coalesceMax", option: "--coalesce-max", environmentVariable: "SHIM_COALESCE_MAX"
    )
    /// `deprecationDate`: `--deprecation-date`, `SHIM_DEPRECATION_DATE`; RFC 3339 date; default
    /// `2026-01-01T00:00:00Z`. The `Deprecation` header's date.
    package static let deprecationDate = Self(
        "deprecationDate", option: "--deprecation-date", environmentVariable: "SHIM_DEPRECATION_DATE"
    )
    /// `sunsetDate`: `--sunset-date`, `SHIM_SUNSET_DATE`; RFC 3339 date; default none (no `Sunset` header). The
    /// `Sunset` date; `mappings check` holds `deprecation.yaml` to it.
    package static let sunsetDate = Self("sunsetDate", option: "--sunset-date", environmentVariable: "SHIM_SUNSET_DATE")
    /// `successorUrl`: `--successor-url`, `SHIM_SUCCESSOR_URL`; http(s) URL; default the bulk API's reference
    /// page. Sent as `Link: rel=successor-version`.
    package static let successorUrl = Self(
        "successorUrl", option: "--successor-url", environmentVariable: "SHIM_SUCCESSOR_URL"
    )
    /// `deprecationPolicyUrl`: `--deprecation-policy-url`, `SHIM_DEPRECATION_POLICY_URL`; http(s) URL; default
    /// none. Sent as `Link: rel=deprecation`.
    package static let deprecationPolicyUrl = Self(
        "deprecationPolicyUrl", option: "--deprecation-policy-url", environmentVariable: "SHIM_DEPRECATION_POLICY_URL"
    )
    /// `customerHashKey`: `--customer-hash-key`, `SHIM_CUSTOMER_HASH_KEY`; string, secret; default random per
    /// process. Key of the customer hash in usage records.
    package static let customerHashKey = Self(
        "customerHashKey", option: "--customer-hash-key", environmentVariable: "SHIM_CUSTOMER_HASH_KEY"
    )
    /// `portsFile`: `--ports-file`, `SHIM_PORTS_FILE`; path; default none. Where `serve` writes
    /// `{"proxy":P,"admin":A}` once both listeners run (for port 0 in scripts and tests).
    package static let portsFile = Self("portsFile", option: "--ports-file", environmentVariable: "SHIM_PORTS_FILE")
    /// `logLevel`: `--log-level`, `SHIM_LOG_LEVEL`; log level; default `info`. Application log level of `serve`
    /// and `sandbox` (logs go to stderr).
    package static let logLevel = Self("logLevel", option: "--log-level", environmentVariable: "SHIM_LOG_LEVEL")
    /// `sandbox.host`: `--host`, `SHIM_SANDBOX_HOST`; string; default `127.0.0.1`. Address of `promo-shim sandbox`.
    package static let sandboxHost = Self("sandbox.host", option: "--host", environmentVariable: "SHIM_SANDBOX_HOST")
    /// `sandbox.port`: `--port`, `SHIM_SANDBOX_PORT`; int; default 8090. Port of `promo-shim sandbox`.
    package static let sandboxPort = Self("sandbox.port", option: "--port", environmentVariable: "SHIM_SANDBOX_PORT")
    /// `healthcheck.host`: `--host`, `SHIM_HEALTHCHECK_HOST`; string; default `127.0.0.1`. Admin listener
    /// address `promo-shim healthcheck` asks.
    package static let healthcheckHost = Self(
        "healthcheck.host", option: "--host", environmentVariable: "SHIM_HEALTHCHECK_HOST"
    )

    /// Every key of the table.
    package static let all: [ConfigurationKey] = [
        .sandbox, .upstream, .host, .port, .adminHost, .adminPort, .mappings, .usageLog, .usageLogBufferRecords,
        .maxBodyBytes, .connectTimeoutMs, .requestTimeoutMs, .readTimeoutMs, .requestHeadTimeoutMs,
        .requestBodyTimeoutMs, .idleTimeoutMs, .maxPassthroughBodyBytes, .maxConcurrentUpstream,
        .maxConcurrentPassthrough, .upstreamIdleTimeoutMs, .maxQueuedUpstream, .shutdownTimeoutSeconds,
        .watchMappings, .drainDelaySeconds, .insecureSkipTlsVerify, .coalesceWindowMs, .coalesceMax,
        .deprecationDate, .sunsetDate, .successorUrl, .deprecationPolicyUrl, .customerHashKey, .portsFile, .logLevel,
        .sandboxHost, .sandboxPort, .healthcheckHost,
    ]
}

extension ShimConfiguration {
    /// The directory of the mapping tables when neither `--mappings` nor `SHIM_MAPPINGS` names one.
    package static let defaultMappingsDirectory = "mappings"

    /// Reads `promo-shim serve`'s settings: the keys of the table above, each over the default of
    /// the property it fills; the mappings are compiled from their directory.
    ///
    /// Throws a value that cannot be read as its type, and refuses (``ConfigurationError/refused(_:)``)
    /// conflicting options and invalid mappings. Ranges are ``validate()``'s, which `serve` calls next.
    package init(reader: ConfigReader) throws(ConfigurationError) {
        let sandbox = try reader.flag(.sandbox) ?? false
        let upstream = reader.text(.upstream)
        if sandbox, upstream != nil {
            throw .refused("--sandbox and --upstream (SHIM_UPSTREAM) exclude each other: choose one")
        }
        if !sandbox, upstream == nil {
            throw .refused(
                "no upstream: pass --upstream BASE_URL (or SHIM_UPSTREAM) for the vendor, or --sandbox for the embedded simulation"
            )
        }
        let directory = reader.text(.mappings) ?? Self.defaultMappingsDirectory
        let mappings: MappingSet
        do {
            // A consistent set, even while Kubernetes swaps a mounted ConfigMap.
            mappings = try MappingSet(directory: MappingStore.snapshot(of: directory))
        } catch {
            throw .refused("invalid mappings: \(error)")
        }
        // With the sandbox, `serve` sets the upstream once the sandbox listens.
        self.init(upstream: try UpstreamEndpoint(upstream ?? "http://127.0.0.1:1"), mappings: mappings)
        self.sandbox = sandbox
        mappingsDirectory = directory
        host = reader.text(.host) ?? host
        port = try reader.integer(.port) ?? port
        adminHost = reader.text(.adminHost) ?? adminHost
        adminPort = try reader.integer(.adminPort) ?? adminPort
        maxLegacyBodyBytes = try reader.integer(.maxBodyBytes) ?? maxLegacyBodyBytes
        timeouts.connect = try reader.milliseconds(.connectTimeoutMs).map { TimeAmount($0) } ?? timeouts.connect
        timeouts.request = try reader.milliseconds(.requestTimeoutMs).map { TimeAmount($0) } ?? timeouts.request
        timeouts.read = try reader.milliseconds(.readTimeoutMs).map { TimeAmount($0) } ?? timeouts.read
        requestHeadTimeout = try reader.milliseconds(.requestHeadTimeoutMs) ?? requestHeadTimeout
        requestBodyTimeout = try reader.milliseconds(.requestBodyTimeoutMs) ?? requestBodyTimeout
        idleTimeout = try reader.milliseconds(.idleTimeoutMs) ?? idleTimeout
        maxPassthroughBodyBytes = try reader.integer(.maxPassthroughBodyBytes) ?? maxPassthroughBodyBytes
        maxConcurrentUpstreamCalls = try reader.integer(.maxConcurrentUpstream) ?? maxConcurrentUpstreamCalls
        maxConcurrentPassthroughCalls = try reader.integer(.maxConcurrentPassthrough) ?? maxConcurrentPassthroughCalls
        timeouts.idle = try reader.milliseconds(.upstreamIdleTimeoutMs).map { TimeAmount($0) } ?? timeouts.idle
        maxQueuedUpstreamCalls = try reader.integer(.maxQueuedUpstream) ?? maxQueuedUpstreamCalls
        if let insecure = try reader.flag(.insecureSkipTlsVerify) { verifyUpstreamCertificates = !insecure }
        coalesceWindow = try reader.milliseconds(.coalesceWindowMs) ?? coalesceWindow
        coalesceMax = try reader.integer(.coalesceMax) ?? coalesceMax
        shutdownTimeout = try reader.seconds(.shutdownTimeoutSeconds) ?? shutdownTimeout
        watchMappings = try reader.flag(.watchMappings) ?? watchMappings
        drainDelay = try reader.seconds(.drainDelaySeconds) ?? drainDelay
        usageLogBufferRecords = try reader.integer(.usageLogBufferRecords) ?? usageLogBufferRecords
        deprecation = try DeprecationPolicy(reader: reader)
        usageLog = reader.text(.usageLog).map { path -> UsageLog.Destination in path == "-" ? .standardOutput : .file(path) }
        customerHashKey = reader.text(.customerHashKey)
        portsFile = reader.text(.portsFile)
    }
}

extension ConfigReader {
    /// An integer key counted in milliseconds.
    fileprivate func milliseconds(_ key: ConfigurationKey) throws(ConfigurationError) -> Duration? {
        try integer(key).map { .milliseconds($0) }
    }

    /// An integer key counted in seconds.
    fileprivate func seconds(_ key: ConfigurationKey) throws(ConfigurationError) -> Duration? {
        try integer(key).map { .seconds($0) }
    }
}
