import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Enforces the proxy listener's head and body timeouts and answers `Expect: 100-continue`, between
/// the HTTP codec and Hummingbird's connection handling. A thin shell: every decision is
/// ``RequestReadStateMachine``'s; this performs them on the connection's event loop.
///
/// - A head that is not complete within the head timeout, or a body silent for the body timeout,
///   gets `408 Request Timeout` (when no answer to it has started) and the connection is closed; the
///   server's read of the body fails, so the request is not taken as complete.
/// - `100 Continue` is written when the shim starts reading the body (``ExpectContinue/Requested``),
///   never before, so a request refused on its head alone (413 on a declared length) gets its final
///   answer instead, with `Connection: close`.
final class RequestReadHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// Fired into the pipeline when a timeout ends a request, so its body read fails instead of ending.
    struct TimedOut: Error {}

    private var state: RequestReadStateMachine
    private var timer: Scheduled<Void>?
    private var timerDeadline: NIODeadline?

    init(timeouts: RequestReadStateMachine.Timeouts) {
        self.state = RequestReadStateMachine(timeouts: timeouts)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimer()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimer()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is RequestStartObserver.BytesArrived {
            state.bytesArrived(now: .now())
            updateTimer(context)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            state.headReceived(expectsContinue: ExpectContinue.isRequested(by: head), now: .now())
        case .body:
            state.bodyReceived(now: .now())
        case .end:
            state.endReceived()
            context.triggerUserOutboundEvent(RequestStartObserver.Watch(), promise: nil)
        }
        updateTimer(context)
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        state.readCompleted()
        context.fireChannelReadComplete()
    }

    func read(context: ChannelHandlerContext) {
        state.readRequested(now: .now())
        updateTimer(context)
        context.read()
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard event is ExpectContinue.Requested else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        if state.continueRequested(now: .now()) {
            writeContinue(context)
        }
        updateTimer(context)
        promise?.succeed()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head) where head.status.kind != .informational:
            if state.answerStarted() {
                head.headerFields[.connection] = "close"
                context.write(wrapOutboundOut(.head(head)), promise: promise)
                return
            }
        case .end:
            let next = state.answerEnded(now: .now())
            if next.close {
                context.writeAndFlush(data, promise: promise)
                context.close(promise: nil)
                return
            }
            context.write(data, promise: promise)
            if next.writeContinue { writeContinue(context) }
            updateTimer(context)
            return
        default:
            break
        }
        context.write(data, promise: promise)
    }

    private func writeContinue(_ context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
    }

    /// Keeps one timer, due at the state's deadline or earlier (an early one re-arms itself when it fires).
    private func updateTimer(_ context: ChannelHandlerContext) {
        guard let deadline = state.deadline else { return }
        if let timerDeadline, timerDeadline <= deadline { return }
        cancelTimer()
        timerDeadline = deadline
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            timer = nil
            timerDeadline = nil
            timerFired(context)
        }
    }

    private func timerFired(_ context: ChannelHandlerContext) {
        switch state.timerFired(now: .now()) {
        case .none:
            updateTimer(context)
        case .answerTimeoutAndClose:
            let head = HTTPResponse(status: .requestTimeout, headerFields: [.connection: "close", .contentLength: "0"])
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            endRequest(context)
        case .close:
            endRequest(context)
        }
    }

    private func endRequest(_ context: ChannelHandlerContext) {
        context.fireErrorCaught(TimedOut())
        context.close(promise: nil)
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
        timerDeadline = nil
    }
}

@available(*, unavailable)
extension RequestReadHandler: Sendable {}
