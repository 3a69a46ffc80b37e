import Logging

/// What every connection of the proxy listener serves requests with.
struct ProxyServices<U: Upstream>: Sendable {
    let legacy: LegacyIssueEndpoint<U>
    let passthrough: PassthroughResponder<U>
    let dateCache: HTTPDateCache
    /// Once it has begun, every answer closes its connection.
    let drainDelay: DrainDelay
    let logger: Logger

    /// Largest legacy request body read (the legacy handler's limit).
    var maxLegacyBodyBytes: Int { legacy.handler.maxBodyBytes }
}
