import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import ShimCore

/// Serves one proxy connection on its event loop: the legacy endpoint's calls and the passthrough.
///
/// The shell of ``ProxyConnectionStateMachine``: it reads a legacy call's small body into memory
/// and runs the call as a task on the connection's own event loop (``EventLoopTaskExecutor``),
/// writing the answer in one flush; it streams a passthrough request's body to the upstream with
/// back-pressure (``RequestBodyStream``) and the answer back the same way
/// (``ChannelResponseBodyWriter``).
final class ProxyConnectionHandler<U: Upstream>: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias OutboundOut = HTTPResponsePart

    private let services: ProxyServices<U>
    private let executor: EventLoopTaskExecutor
    private var machine = ProxyConnectionStateMachine()
    private var context: ChannelHandlerContext?
    private var presence: CallerPresence?
    private var remoteAddress: String?
    private var legacy: LegacyCallInProgress?
    private var bodySource: RequestBodyStream.Source?
    private var clientNames = ClientIdentity.Memo()

    /// The legacy call whose body is being read.
    private struct LegacyCallInProgress {
        var head: HTTPRequest
        var query: String?
        var arrived: NIODeadline
        var body: ByteBuffer
        var tooLarge: Bool
        var unreadable = false
    }

    init(services: ProxyServices<U>, executor: EventLoopTaskExecutor) {
        self.services = services
        self.executor = executor
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.presence = CallerWatchHandler.registry.presence(of: context.channel)
        self.remoteAddress = context.channel.remoteAddress?.ipAddress
        if context.channel.isActive, machine.activated() {
            context.read()
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // Hummingbird's connection-state handler ahead of this one does not pass channelInactive on.
        machine.closed()
        finishBody(failing: true)
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        if machine.activated() { context.read() }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        machine.closed()
        finishBody(failing: true)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        handle(unwrapInboundIn(data), context: context)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if machine.readCompleted() { context.read() }
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            if machine.inputClosed() { context.close(promise: nil) }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A legacy body that cannot be read whole (timeout, a close or garbage in the middle of
        // it): the call is answered and recorded as unreadable, never sent.
        if machine.phase == .reading(.legacy), var call = legacy {
            legacy = nil
            call.unreadable = true
            machine.answeringEarly()
            _ = machine.parseFailed()
            startLegacyCall(call, context: context)
            if !(error is HTTPParserError) { machine.closed() }
            return
        }
        guard error is HTTPParserError else {
            machine.closed()
            finishBody(failing: true)
            context.close(promise: nil)
            return
        }
        switch machine.parseFailed() {
        case .badRequestAndClose:
            finishBody(failing: true)
            writeBadRequestAndClose(context)
        case .afterAnswers:
            // What was read before the garbage is still answered; a passthrough body cut by it fails.
            if case .answering(.passthrough, requestEnded: false) = machine.phase { finishBody(failing: true) }
        }
    }

    /// As Hummingbird answered a request it could not parse: 400, then the close.
    private func writeBadRequestAndClose(_ context: ChannelHandlerContext) {
        let head = HTTPResponse(status: .badRequest, headerFields: [.connection: "close", .contentLength: "0"])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }

    private func handle(_ part: HTTPRequestPart, context: ChannelHandlerContext) {
        switch machine.received(part) {
        case .startRequest(let head):
            start(head, context: context)
        case .body(.legacy, let bytes):
            guard var call = legacy else { return }
            legacy = nil
            if !call.tooLarge {
                if call.body.readableBytes + bytes.readableBytes > services.maxLegacyBodyBytes {
                    call.tooLarge = true
                    call.body = ByteBuffer()
                    machine.answeringEarly()
                    startLegacyCall(call, context: context)
                } else {
                    call.body.writeImmutableBuffer(bytes)
                }
            }
            legacy = call
        case .body(.passthrough, let bytes):
            guard let bodySource else { return }
            switch bodySource.yield(bytes) {
            case .stopProducing:
                _ = machine.bodyDemandChanged(wantsMore: false)
            case .produceMore, .dropped:
                break
            }
        case .end(.legacy):
            guard let call = legacy else { return }
            legacy = nil
            if !call.tooLarge { startLegacyCall(call, context: context) }
        case .end(.passthrough):
            finishBody(failing: false)
        case .none:
            break
        }
    }

    private func start(_ head: HTTPRequest, context: ChannelHandlerContext) {
        let uri = URI(head.path ?? "")
        if services.legacy.matches(method: head.method, path: uri.path) {
            machine.routed(.legacy)
            var call = LegacyCallInProgress(head: head, query: uri.query, arrived: .now(), body: ByteBuffer(), tooLarge: false)
            if let declared = head.headerFields[.contentLength].flatMap(Int.init), declared > services.maxLegacyBodyBytes {
                // Refused on its head alone: no `100 Continue`, and the body is never read.
                call.tooLarge = true
                machine.answeringEarly()
                startLegacyCall(call, context: context)
            } else if ExpectContinue.isRequested(by: head) {
                context.triggerUserOutboundEvent(ExpectContinue.Requested(), promise: nil)
            }
            legacy = call
        } else {
            machine.routed(.passthrough)
            startPassthrough(head, context: context)
        }
    }

    /// Runs a legacy call; with `answering` false it is only recorded (its caller will get no answer).
    private func startLegacyCall(_ call: LegacyCallInProgress, context: ChannelHandlerContext, answering: Bool = true) {
        let request = LegacyIssueRequest(
            query: call.query, headers: call.head.headerFields,
            body: call.unreadable ? .unreadable : call.tooLarge ? .tooLarge : .bytes(call.body),
            remoteAddress: remoteAddress,
            client: clientNames.name(from: call.head.headerFields)
        )
        let endpoint = services.legacy
        let presence = presence
        let logger = services.logger
        let arrived = call.arrived
        let loop = context.eventLoop
        let handler = NIOLoopBound(self, eventLoop: loop)
        Task(executorPreference: executor) {
            let response = await endpoint.serve(request, arrived: arrived, presence: presence, logger: logger)
            if answering { loop.runOnLoop { handler.value.writeAnswer(response) } }
        }
    }

    /// Writes a whole answer in one flush.
    private func writeAnswer(_ response: ProxyResponse) {
        guard let context, case .answering = machine.phase else { return }
        var headers = response.headers
        headers[.date] = services.dateCache.now
        if services.drainDelay.hasBegun { machine.stopKeepAlive() }
        if machine.closesAfterAnswer { headers[.connection] = "close" }
        context.write(wrapOutboundOut(.head(HTTPResponse(status: response.status, headerFields: headers))), promise: nil)
        if response.body.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(response.body)), promise: nil)
        }
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        answerEnded(written: written, context: context)
    }

    private func startPassthrough(_ head: HTTPRequest, context: ChannelHandlerContext) {
        let loop = context.eventLoop
        let handler = NIOLoopBound(self, eventLoop: loop)
        var request: Request
        if Self.hasBody(head) {
            let (body, source) = RequestBodyStream.make(
                demand: .init(eventLoop: loop) { wantsMore in
                    handler.value.bodyDemandChanged(wantsMore: wantsMore)
                }
            )
            bodySource = source
            request = Request(head: head, body: RequestBody(asyncSequence: body))
        } else {
            // Most passthrough requests (GET, HEAD, DELETE) have no body: no stream to feed.
            request = Request(head: head, body: RequestBody(buffer: ByteBuffer()))
        }
        if ExpectContinue.isRequested(by: head) {
            request = ExpectContinue.preparing(request, channel: context.channel)
        }
        let passthrough = services.passthrough
        let presence = presence
        let remoteAddress = remoteAddress
        let logger = services.logger
        let channel = context.channel
        let date = services.dateCache.now
        Task(executorPreference: executor) {
            let response = await passthrough.respond(
                to: request, remoteAddress: remoteAddress, presence: presence, logger: logger
            )
            let closes = await loop.submitOnLoop(orIfShutDown: true) { handler.value.closesAfterAnswer() }
            var headers = response.headers
            if headers[.date] == nil { headers[.date] = date }
            if closes { headers[.connection] = "close" }
            let written: EventLoopFuture<Void>
            do {
                // Not awaited: the body's writes and its end, which is, fail when the head could not be written.
                channel.writeAndFlush(
                    HTTPResponsePart.head(HTTPResponse(status: response.status, headerFields: headers)), promise: nil
                )
                try await response.body.write(ChannelResponseBodyWriter(channel: channel))
                written = loop.makeSucceededVoidFuture()
            } catch {
                written = loop.makeFailedFuture(error)
            }
            loop.runOnLoop { handler.value.passthroughAnswered(written: written) }
        }
    }

    /// Whether a body follows `head`: HTTP/1.1 frames a request's body only by `Content-Length`
    /// (above zero) or `Transfer-Encoding` (RFC 9112, section 6.3).
    static func hasBody(_ head: HTTPRequest) -> Bool {
        if head.headerFields[.transferEncoding] != nil { return true }
        guard let length = head.headerFields[.contentLength] else { return false }
        return length != "0"
    }

    /// Whether the answer in progress closes the connection; every answer does once the drain has begun.
    private func closesAfterAnswer() -> Bool {
        if services.drainDelay.hasBegun { machine.stopKeepAlive() }
        return machine.closesAfterAnswer
    }

    private func passthroughAnswered(written: EventLoopFuture<Void>) {
        guard let context, case .answering = machine.phase else { return }
        answerEnded(written: written, context: context)
    }

    private func bodyDemandChanged(wantsMore: Bool) {
        guard let context, bodySource != nil || wantsMore else { return }
        if machine.bodyDemandChanged(wantsMore: wantsMore) { context.read() }
    }

    private func finishBody(failing: Bool) {
        guard let bodySource else { return }
        self.bodySource = nil
        if failing {
            bodySource.finish(ChannelError.ioOnClosedChannel)
        } else {
            bodySource.finish()
        }
    }

    private func answerEnded(written: EventLoopFuture<Void>, context: ChannelHandlerContext) {
        // An answer that could not be written whole leaves the connection unusable.
        let channel = context.channel
        written.whenFailure { _ in channel.close(promise: nil) }
        guard context.channel.isActive else {
            // The caller is gone: nothing held is started for it.
            machine.closed()
            finishBody(failing: true)
            return
        }
        let action = machine.answerEnded()
        // A legacy call the input ended in is recorded as unreadable, never sent.
        if let head = machine.takeIncompleteHead(), head.method == .post,
            PathNormalizer.match(URI(head.path ?? "").path, canonical: LegacyIssueEndpoint<U>.path) != .other
        {
            let uri = URI(head.path ?? "")
            startLegacyCall(
                LegacyCallInProgress(
                    head: head, query: uri.query, arrived: .now(), body: ByteBuffer(), tooLarge: false, unreadable: true
                ),
                context: context, answering: false
            )
        }
        switch action {
        case .close:
            finishBody(failing: true)
            written.whenComplete { _ in channel.close(promise: nil) }
        case .badRequestAndClose:
            finishBody(failing: true)
            writeBadRequestAndClose(context)
        case .replay(let parts):
            for part in parts {
                handle(part, context: context)
            }
            let replayEnd = machine.replayed()
            switch replayEnd {
            case .read:
                context.read()
            case .none:
                break
            case .close, .badRequestAndClose:
                // The input ended inside a held request: a legacy one is still recorded, unreadable.
                if var call = legacy {
                    legacy = nil
                    call.unreadable = true
                    startLegacyCall(call, context: context)
                }
                finishBody(failing: true)
                if replayEnd == .badRequestAndClose {
                    writeBadRequestAndClose(context)
                } else {
                    context.close(promise: nil)
                }
            }
        case .read:
            context.read()
        case .none:
            break
        }
    }
}

@available(*, unavailable)
extension ProxyConnectionHandler: Sendable {}

extension EventLoop {
    /// Runs `body` now when on this loop, else on it soon.
    func runOnLoop(_ body: @escaping @Sendable () -> Void) {
        if inEventLoop { body() } else { execute(body) }
    }

    /// The value of `body`, run on this loop; `fallback` when the loop no longer runs.
    func submitOnLoop<T: Sendable>(orIfShutDown fallback: T, _ body: @escaping @Sendable () -> T) async -> T {
        if inEventLoop { return body() }
        return (try? await submit(body).get()) ?? fallback
    }
}
