public import ShimCore

/// Everything `promo-shim serve` needs, with the defaults an operator gets when omitting an option:
/// the one place those defaults are stated. ``init(reader:)`` fills it from the command line and the
/// environment (the table of keys is in `ShimConfiguration+ConfigReader.swift`).
///
/// ``validate()`` refuses out-of-range values before anything starts; descriptions redact the
/// customer-hash key (the service lifecycle logs them at debug level).
public struct ShimConfiguration: Sendable {
    /// Address of the proxy listener.
    public var host: String = "127.0.0.1"
    /// Port of the proxy listener; 0 picks a free one.
    public var port: Int = 8080
    /// Address of the admin listener (health); loopback by default.
    public var adminHost: String = "127.0.0.1"
    /// Port of the admin listener; 0 picks a free one.
    public var adminPort: Int = Self.defaultAdminPort
    /// The admin listener's default port, which `promo-shim healthcheck` asks too.
    public static let defaultAdminPort = 9901
    /// Whether `serve` runs the embedded sandbox vendor and points ``upstream`` at it once it listens;
    /// the server itself only ever sees ``upstream``.
    public var sandbox = false
    /// The vendor's base URL; every upstream call goes there and nowhere else.
    public var upstream: UpstreamEndpoint
    /// The compiled `mappings/` tables.
    public var mappings: MappingSet
    /// The directory they came from, read again on SIGHUP or `POST /reload`; `nil` disables reloads.
    public var mappingsDirectory: String?
    /// Largest legacy request body accepted (413 beyond).
    public var maxLegacyBodyBytes: Int = 16 * 1024
    /// Timeouts of upstream calls.
    public var timeouts: HTTPClientUpstream.Timeouts = .init()
    /// Most translation-path upstream calls in flight at once (legacy calls, lookups and bulk calls),
    /// and so the most connections they use: calls wait in one place, the bounded queue below, never
    /// in a client's pool, whose wait is cut off at the connect timeout.
    public var maxConcurrentUpstreamCalls: Int = 512
    /// Most passthrough requests in flight at once, and so the most connections of the passthrough
    /// client. A bound of its own: slow passthrough uploads or downloads cannot take the slots or
    /// the connections the translation path needs.
    public var maxConcurrentPassthroughCalls: Int = 512
    /// Most calls waiting for an upstream slot (for each of the two bounds); beyond, a fast 503 with
    /// `Retry-After`.
    public var maxQueuedUpstreamCalls: Int = 2048
    /// Longest time from a request's first byte to the end of its head; beyond, 408 and the connection is closed.
    public var requestHeadTimeout: Duration = .seconds(10)
    /// Longest silence while a request body is read; beyond, 408 (when no answer has started) and close.
    public var requestBodyTimeout: Duration = .seconds(10)
    /// How long a keep-alive connection may wait for its next request before it is closed.
    public var idleTimeout: Duration = .seconds(60)
    /// Largest passthrough request body (413 beyond).
    public var maxPassthroughBodyBytes: Int = 10 << 20
    /// Verify an https upstream's certificate; turning it off is for test vendors only.
    public var verifyUpstreamCertificates: Bool = true
    /// How long a call may wait for others to share its bulk request; zero turns coalescing off.
    public var coalesceWindow: Duration = .zero
    /// Most calls in one coalesced bulk request (the vendor documents 10 with bulk redirection; at most 100).
    public var coalesceMax: Int = 10
    /// What legacy responses say about the endpoint's retirement.
    public var deprecation: DeprecationPolicy = .standard
    /// The time of day brownout windows and the sunset date are read against (tests move it).
    public var clock: WallClock = .system
    /// Where the usage log goes; `nil` writes none.
    public var usageLog: UsageLog.Destination?
    /// Most usage records held in memory while the usage log cannot keep up; past it they are dropped
    /// and counted.
    public var usageLogBufferRecords: Int = 10_000
    /// How long graceful shutdown waits for in-flight calls and the last usage records.
    public var shutdownTimeout: Duration = .seconds(25)
    /// How long the proxy keeps accepting and serving after the signal to stop (``DrainDelay``),
    /// before the drain bounded by ``shutdownTimeout`` begins.
    public var drainDelay: Duration = .seconds(5)
    /// Whether the mappings directory is watched and reloaded on change (``MappingWatcher``).
    public var watchMappings = true
    /// How often the watcher looks at the mappings directory.
    public var watchMappingsInterval: Duration = .seconds(1)
    /// Key of the customer hash in usage records; `nil` draws a random one per process.
    public var customerHashKey: String?
    /// Where `serve` writes its listening ports once both listeners run (``PortsFile``); `nil`: nowhere.
    public var portsFile: String?

    /// The defaults, in front of `upstream` with the compiled `mappings`.
    public init(upstream: UpstreamEndpoint, mappings: MappingSet) {
        self.upstream = upstream
        self.mappings = mappings
    }
}
