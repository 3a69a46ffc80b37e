import NIOCore

/// Writes a streamed request's body on the connection that sends it. Each method hops to the
/// connection's event loop when called elsewhere; a call for an exchange that has ended does nothing.
struct UpstreamBodySink: Sendable {
    let eventLoop: any EventLoop
    let write: @Sendable (ByteBuffer) -> EventLoopFuture<Void>
    let end: @Sendable () -> EventLoopFuture<Void>
    /// The body could not be read whole (the caller left, it was too long): the request is cut
    /// short, so the connection closes.
    let abort: @Sendable () -> Void
}
