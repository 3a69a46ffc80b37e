import NIOCore
import Synchronization

/// A handler in each proxy connection's pipeline that notices when the caller goes away, for the
/// call in flight on that connection (``CallerPresence``).
///
/// Hummingbird serves each connection as an async task that only learns of a closed input when it
/// reads the next request; this handler sees the `inputClosed` event (the listener allows remote
/// half-closure) and `channelInactive` as they happen, on the connection's event loop.
final class CallerWatchHandler: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = NIOAny

    /// Presence of every open proxy connection, by channel: how a request finds its connection's.
    static let registry = Registry()

    /// The presence of each open connection.
    final class Registry: Sendable {
        private let byChannel = Mutex<[ObjectIdentifier: CallerPresence]>([:])

        /// The presence of `channel`'s caller, if the channel is watched.
        func presence(of channel: any Channel) -> CallerPresence? {
            byChannel.withLock { $0[ObjectIdentifier(channel)] }
        }

        fileprivate func register(_ presence: CallerPresence, for channel: any Channel) {
            byChannel.withLock { $0[ObjectIdentifier(channel)] = presence }
        }

        fileprivate func remove(_ channel: any Channel) {
            _ = byChannel.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) }
        }
    }

    private let presence = CallerPresence()

    init() {}

    func handlerAdded(context: ChannelHandlerContext) {
        Self.registry.register(presence, for: context.channel)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        Self.registry.remove(context.channel)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            presence.markGone()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        presence.markGone()
        Self.registry.remove(context.channel)
        context.fireChannelInactive()
    }
}
