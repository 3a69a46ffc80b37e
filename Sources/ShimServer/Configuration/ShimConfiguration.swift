package import ShimCore

/// Everything `promo-shim serve` needs, with the defaults an operator gets when omitting an option:
/// the one place those defaults are stated. ``init(reader:)`` fills it from the command line and the
/// environment (the table of keys is in `ShimConfiguration+ConfigReader.swift`).
///
/// ``validate()`` refuses out-of-range values before anything starts; descriptions redact the
/// customer-hash key (the service lifecycle logs them at debug level).
package struct ShimConfiguration: Sendable {
    /// Address of the proxy listener.
    package var host: String = "127.0.0.1"
    /// Port of the proxy listener; 0 picks a free one.
    package var port: Int = 8080
    /// Address of the admin listener (health); loopback by default.
    package var adminHost: String = "127.0.0.1"
    /// Port of the admin listener; 0 picks a free one.
    package var adminPort: Int = Self.defaultAdminPort
    /// The admin listener's default port, which `promo-shim healthcheck` asks too.
    package static let defaultAdminPort = 9901
    /// Whether `serve` runs the embedded sandbox vendor and points ``upstream`` at it once it listens;
    /// the server itself only ever sees ``upstream``.
    package var sandbox = false
    /// The vendor's base URL; every upstream call goes there and nowhere else.
    package var upstream: UpstreamEndpoint
    /// The compiled `mappings/` tables.
    package var mappings: MappingSet
    /// The directory they came from, read again on SIGHUP or `POST /reload`; `nil` disables reloads.
    package var mappingsDirectory: String?
    /// Largest legacy request body accepted (413 beyond).
    package var maxLegacyBodyBytes: Int = 16 * 1024
    /// Timeouts of upstream calls.
    package var timeouts: HTTPClientUpstream.Timeouts = .init()
    /// Most translation-path upstream calls in flight at once (legacy calls, lookups and bulk calls),
    /// and so the most connections they use: calls wait in one place, the bounded queue below, never
    /// in a client's pool, whose wait is cut off at the connect timeout.
    package var maxConcurrentUpstreamCalls: Int = 512
    /// Most passthrough requests in flight at once, and so the most connections of the passthrough
    /// client. A bound of its own: slow passthrough uploads or downloads cannot take the slots or
    /// the connections the translation path needs.
    package var maxConcurrentPassthroughCalls: Int = 512
    /// Most calls waiting for an upstream slot (for each of the two bounds); beyond, a fast 503 with
    /// `Retry-After`.
    package var maxQueuedUpstreamCalls: Int = 2048
    /// Longest time from a request's first byte to the end of its head; beyond, 408 and the connection is closed.
    package var requestHeadTimeout: Duration = .seconds(10)
    /// Longest silence while a request body is read; beyond, 408 (when no answer has started) and close.
    package var requestBodyTimeout: Duration = .seconds(10)
    /// How long a keep-alive connection may wait for its next request before it is closed.
    package var idleTimeout: Duration = .seconds(60)
    /// Largest passthrough request body (413 beyond).
    package var maxPassthroughBodyBytes: Int = 10 << 20
    /// Verify an https upstream's certificate; turning it off is for test vendors only.
    package var verifyUpstreamCertificates: Bool = true
    /// How long a call may wait for others to share its bulk request; zero turns coalescing off.
    package var coalesceWindow: Duration = .zero
    /// Most calls in one coalesced bulk request (the vendor documents 10 with bulk redirection; at most 100).
    package var coalesceMax: Int = 10
    /// What legacy responses say about the endpoint's retirement.
    package var deprecation: DeprecationPolicy = .standard
    /// The time of day brownout windows and the sunset date are read against (tests move it).
    package var clock: WallClock = .system
    /// Where the usage log goes; `nil` writes none.
    package var usageLog: UsageLog.Destination?
    /// Most usage records held in memory while the usage log cannot keep up; past it they are dropped
    /// and counted.
    package var usageLogBufferRecords: Int = 10_000
    /// How long graceful shutdown waits for in-flight calls and the last usage records.
    package var shutdownTimeout: Duration = .seconds(25)
    /// How long the proxy keeps accepting and serving after the signal to stop (``DrainDelay``),
    /// before the drain bounded by ``shutdownTimeout`` begins.
    package var drainDelay: Duration = .seconds(5)
    /// Whether the mappings directory is watched and reloaded on change (``MappingWatcher``).
    package var watchMappings = true
    /// How often the watcher looks at the mappings directory.
    package var watchMappingsInterval: Duration = .seconds(1)
    /// Key of the customer hash in usage records; `nil` draws a random one per process.
    package var customerHashKey: String?
    /// Where `serve` writes its listening ports once both listeners run (``PortsFile``); `nil`: nowhere.
    package var portsFile: String?

    /// The defaults, in front of `upstream` with the compiled `mappings`.
    package init(upstream: UpstreamEndpoint, mappings: MappingSet) {
        self.upstream = upstream
        self.mappings = mappings
    }
}
