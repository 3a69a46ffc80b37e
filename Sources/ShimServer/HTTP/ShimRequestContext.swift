public import Hummingbird
public import NIOCore

/// The request context of the proxy listener: Hummingbird's core storage plus the peer address,
/// which the usage log and `X-Forwarded-For` need.
public struct ShimRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The caller's IP address, when the channel has one.
    public let remoteAddress: String?
    /// Whether the caller is still connected; `nil` where the listener does not watch.
    let callerPresence: CallerPresence?
    /// The caller's connection, for the interim `100 Continue` (``ExpectContinue``).
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress?.ipAddress
        // A watched connection that has already closed is no longer registered: its caller is gone.
        self.callerPresence =
            CallerWatchHandler.registry.presence(of: source.channel)
            ?? (source.channel.isActive ? nil : CallerPresence.gone)
        self.channel = source.channel
    }
}
