import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1

#if canImport(Glibc)
import Glibc
#endif

/// The protocol end of one pooled upstream connection: sends one request at a time and either
/// reads its whole (small) answer into memory, or streams the request body out and the answer back
/// with back-pressure both ways (passthrough, ``StreamedUpstreamCall``).
///
/// Lives on its channel's event loop and is touched only there (hence `@unchecked Sendable`). Per
/// call it costs one scheduled timer, which covers both the read timeout (longest silence) and the
/// deadline for the answer's head.
final class UpstreamExchangeHandler: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    /// How the answer of the call in flight is delivered.
    private enum Delivery {
        /// Read whole, then given to `promise`.
        case buffered(EventLoopPromise<BufferedUpstreamResponse>, maxResponseBytes: Int, body: ByteBuffer?)
        /// Given to `answered`: whole, when it ends in the read that brought its head, or as a
        /// head whose body streams on (see ``StreamedStage``).
        case streamed(EventLoopPromise<StreamedUpstreamAnswer>, stage: StreamedStage)
    }

    /// Where a streamed answer is.
    private enum StreamedStage {
        /// Its head has not arrived.
        case awaitingHead
        /// Its head arrived in the read in progress, and the body parts that came with it: held
        /// until that read completes, so an answer that ends within it is handed over whole,
        /// without a stream (most passthrough answers are small).
        case headHeld(HTTPResponseHead, body: ByteBuffer?)
        /// Handed over: the rest of the body streams into `source`.
        case streaming(UpstreamResponseBody.Source)
    }

    /// The most a held answer gathers before it is handed over as a stream.
    static let wholeAnswerLimit = 64 * 1024

    /// The call in flight on this connection.
    private struct Exchange {
        let number: UInt64
        let deadline: NIODeadline
        var delivery: Delivery
        var head: HTTPResponseHead?
        /// Inside a 1xx interim answer, which is skipped.
        var inInterimAnswer = false
        /// The whole request has been written: an answer that came earlier leaves the connection
        /// out of step, so it is not reused.
        var requestWritten = false
    }

    private let pool: EventLoopConnectionPool
    private let readTimeout: TimeAmount
    private var context: ChannelHandlerContext?
    private var exchange: Exchange?
    private var exchangeCount: UInt64 = 0
    private var lastActivity = NIODeadline.now()
    private var timer: Scheduled<Void>?
    /// The streamed answer's reader has enough buffered: reads of the socket are held back.
    private var readsPaused = false
    /// A read asked for while reads were held back, issued once the reader wants more.
    private var readPending = false
    /// When the connection last became idle; the pool closes connections idle for too long.
    private(set) var idleSince = NIODeadline.now()

    init(pool: EventLoopConnectionPool, readTimeout: TimeAmount) {
        self.pool = pool
        self.readTimeout = readTimeout
    }

    /// Whether the connection is open and idle, so it can take a request.
    var isUsable: Bool { exchange == nil && context?.channel.isActive == true }

    /// The channel as a socket option provider, cast once when the handler is added.
    private var socketOptions: (any SocketOptionProvider)?

    /// Whether the connection is open and idle and the upstream has not closed its side: a close
    /// that has reached this host but not yet been read would make the next request fail after it
    /// is written. Asked of the kernel (TCP state) at each reuse; one `getsockopt` per reused call.
    var isReusable: Bool {
        guard isUsable else { return false }
        #if os(Linux)
        guard let provider = socketOptions else { return true }
        var established = true
        provider.getTCPInfo().assumeIsolated().whenComplete { result in
            // 1 is TCP_ESTABLISHED; CLOSE_WAIT and the rest mean the upstream is closing.
            if case .success(let info) = result { established = info.tcpi_state == 1 }
        }
        return established
        #else
        return true
        #endif
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        // Cast once per connection: the dynamic cast per reuse cost as much as the kernel call.
        self.socketOptions = context.channel as? any SocketOptionProvider
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        self.socketOptions = nil
    }

    /// Sends a request; `promise` gets the whole answer or an ``UpstreamError``.
    func send(
        head: HTTPRequestHead, body: ByteBuffer?, maxResponseBytes: Int, deadline: NIODeadline,
        promise: EventLoopPromise<BufferedUpstreamResponse>
    ) {
        guard let context, exchange == nil else {
            promise.fail(UpstreamError.connectionLost)
            return
        }
        let number = begin(deadline: deadline, delivery: .buffered(promise, maxResponseBytes: maxResponseBytes, body: nil))
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if let body, body.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        writeEnd(context: context, exchange: number, firstFlush: true)
    }

    /// Sends a streamed call: its head now, its body (if any) as ``UpstreamBodyPump`` writes it
    /// through the sink `call.started` gets; `call.answered` gets the answer's head.
    func send(_ call: StreamedUpstreamCall) {
        guard let context, exchange == nil else {
            call.started?.fail(UpstreamError.connectionLost)
            call.answered.fail(UpstreamError.connectionLost)
            return
        }
        let number = begin(deadline: call.deadline, delivery: .streamed(call.answered, stage: .awaitingHead))
        guard let started = call.started, call.hasBody else {
            context.write(wrapOutboundOut(.head(call.head)), promise: nil)
            writeEnd(context: context, exchange: number, firstFlush: true)
            return
        }
        context.writeAndFlush(wrapOutboundOut(.head(call.head))).assumeIsolated().whenFailure { error in
            self.writeFailed(error, exchange: number, firstFlush: true)
        }
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        started.succeed(
            UpstreamBodySink(
                eventLoop: eventLoop,
                write: { part in
                    eventLoop.flatSubmit { handler.value.writeBody(part, exchange: number) }
                },
                end: {
                    eventLoop.flatSubmit { handler.value.endBody(exchange: number) }
                },
                abort: {
                    eventLoop.execute { handler.value.abortBody(exchange: number) }
                }
            )
        )
    }

    private func begin(deadline: NIODeadline, delivery: Delivery) -> UInt64 {
        exchangeCount &+= 1
        exchange = Exchange(number: exchangeCount, deadline: deadline, delivery: delivery)
        readsPaused = false
        lastActivity = .now()
        scheduleTimer(at: min(deadline, lastActivity + readTimeout), exchange: exchangeCount)
        return exchangeCount
    }

    /// Writes the request's end and notes when it is written whole; `firstFlush` tells that nothing
    /// of the request was flushed before it.
    @discardableResult
    private func writeEnd(context: ChannelHandlerContext, exchange number: UInt64, firstFlush: Bool) -> EventLoopFuture<Void> {
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        written.assumeIsolated().whenComplete { result in
            switch result {
            case .success:
                if self.exchange?.number == number { self.exchange?.requestWritten = true }
            case .failure(let error):
                self.writeFailed(error, exchange: number, firstFlush: firstFlush)
            }
        }
        return written
    }

    /// A write of the request failed. The first flush failing on a channel that was already closed
    /// sent nothing at all; any other failure may come after bytes reached the upstream.
    private func writeFailed(_ error: any Error, exchange number: UInt64, firstFlush: Bool) {
        guard exchange?.number == number else { return }
        if firstFlush, let channelError = error as? ChannelError, channelError == .ioOnClosedChannel, exchange?.head == nil {
            fail(.connectFailed, closing: true)
        } else {
            fail(.connectionLost, closing: true)
        }
    }

    /// A part of a streamed request's body; the future completes once it is in the kernel.
    private func writeBody(_ part: ByteBuffer, exchange number: UInt64) -> EventLoopFuture<Void> {
        guard let context, exchange?.number == number else {
            return pool.eventLoop.makeFailedFuture(UpstreamError.connectionLost)
        }
        let written = context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(part))))
        written.assumeIsolated().whenSuccess {
            // Sending the request is progress too: a long upload is not the upstream's silence.
            if self.exchange?.number == number { self.lastActivity = .now() }
        }
        return written
    }

    /// The end of a streamed request's body.
    private func endBody(exchange number: UInt64) -> EventLoopFuture<Void> {
        guard let context, exchange?.number == number else {
            return pool.eventLoop.makeFailedFuture(UpstreamError.connectionLost)
        }
        return writeEnd(context: context, exchange: number, firstFlush: false)
    }

    /// A streamed request's body could not be read whole: the request is cut short, so the
    /// connection can carry nothing else.
    private func abortBody(exchange number: UInt64) {
        guard exchange?.number == number else { return }
        fail(.connectionLost, closing: true)
    }

    /// Closes the connection (on shutdown, or when the pool has enough idle ones).
    func close() {
        context?.close(promise: nil)
    }

    func read(context: ChannelHandlerContext) {
        if readsPaused {
            readPending = true
        } else {
            context.read()
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard var current = exchange else {
            // An answer nobody asked for: the connection is out of step, so it cannot be reused.
            context.close(promise: nil)
            return
        }
        lastActivity = .now()
        switch unwrapInboundIn(data) {
        case .head(let head):
            if head.status.code >= 100, head.status.code < 200, head.status != .switchingProtocols {
                current.inInterimAnswer = true
                break
            }
            switch current.delivery {
            case .buffered(_, let maxResponseBytes, _):
                if let length = head.headers.first(name: "content-length").flatMap(Int.init), length > maxResponseBytes {
                    exchange = current
                    fail(.responseTooLarge, closing: true)
                    return
                }
            case .streamed(let answered, _):
                current.delivery = .streamed(answered, stage: .headHeld(head, body: nil))
            }
            current.head = head
        case .body(var part):
            guard !current.inInterimAnswer else { break }
            switch current.delivery {
            case .buffered(let promise, let maxResponseBytes, var body):
                if (body?.readableBytes ?? 0) + part.readableBytes > maxResponseBytes {
                    exchange = current
                    fail(.responseTooLarge, closing: true)
                    return
                }
                if body == nil {
                    body = part
                } else {
                    body!.writeBuffer(&part)
                }
                current.delivery = .buffered(promise, maxResponseBytes: maxResponseBytes, body: body)
            case .streamed(let answered, .headHeld(let head, var body)):
                if body == nil {
                    body = part
                } else {
                    body!.writeBuffer(&part)
                }
                current.delivery = .streamed(answered, stage: .headHeld(head, body: body))
                if body!.readableBytes > Self.wholeAnswerLimit {
                    exchange = current
                    startStreaming(context: context)
                    return
                }
            case .streamed(_, .streaming(let source)):
                switch source.yield(part) {
                case .stopProducing:
                    readsPaused = true
                case .dropped:
                    // The caller stopped reading the answer for good: the rest is never read.
                    exchange = current
                    fail(.connectionLost, closing: true)
                    return
                case .produceMore:
                    break
                }
            case .streamed(_, .awaitingHead):
                break
            }
        case .end:
            if current.inInterimAnswer {
                current.inInterimAnswer = false
                break
            }
            finish(current, context: context)
            return
        }
        exchange = current
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // A held answer did not end within the read that brought its head: its body streams.
        startStreaming(context: context)
        context.fireChannelReadComplete()
    }

    /// Hands a held answer's head over with its body streaming, starting with the parts held.
    private func startStreaming(context: ChannelHandlerContext) {
        guard var current = exchange, case .streamed(let answered, .headHeld(let head, let held)) = current.delivery else {
            return
        }
        let (body, source) = UpstreamResponseBody.make(demand: demand(for: current.number, context: context))
        current.delivery = .streamed(answered, stage: .streaming(source))
        exchange = current
        if let held, held.readableBytes > 0, case .stopProducing = source.yield(held) {
            readsPaused = true
        }
        answered.succeed(StreamedUpstreamAnswer(head: head, body: .streaming(body)))
    }

    /// Resumes reads when a streamed answer's reader wants more; closes the connection when it left
    /// before the answer's end.
    private func demand(for number: UInt64, context: ChannelHandlerContext) -> UpstreamResponseBody.Demand {
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        return UpstreamResponseBody.Demand(eventLoop: context.eventLoop) { readerLeft in
            let handler = handler.value
            guard handler.exchange?.number == number else { return }
            if readerLeft {
                handler.fail(.connectionLost, closing: true)
            } else {
                handler.resumeReads()
            }
        }
    }

    private func resumeReads() {
        guard readsPaused else { return }
        readsPaused = false
        lastActivity = .now()
        if readPending, let context {
            readPending = false
            context.read()
        }
    }

    private func finish(_ finished: Exchange, context: ChannelHandlerContext) {
        exchange = nil
        timer?.cancel()
        timer = nil
        readsPaused = false
        if readPending {
            readPending = false
            context.read()
        }
        guard let head = finished.head else {
            failDelivery(finished.delivery, UpstreamError.connectionLost)
            context.close(promise: nil)
            return
        }
        // Reused only after an answer consumed whole to a request written whole, on a connection
        // that still speaks HTTP/1.1 (never after 101 Switching Protocols).
        let reusable = head.isKeepAlive && head.status != .switchingProtocols && finished.requestWritten
        if reusable {
            // The pool hands it on only once it has settled (``EventLoopConnectionPool/reuseGrace``)
            // and the kernel says the upstream has not closed its side.
            idleSince = .now()
            pool.release(self)
        } else {
            context.close(promise: nil)
        }
        switch finished.delivery {
        case .buffered(let promise, _, let body):
            promise.succeed(
                BufferedUpstreamResponse(
                    status: HTTPResponse.Status(code: Int(head.status.code)),
                    headers: HTTPFields(head.headers, splitCookie: false),
                    body: body ?? ByteBuffer()
                )
            )
        case .streamed(let answered, .headHeld(let head, let body)):
            answered.succeed(StreamedUpstreamAnswer(head: head, body: .whole(body ?? ByteBuffer())))
        case .streamed(_, .streaming(let source)):
            source.finish()
        case .streamed(let answered, .awaitingHead):
            answered.fail(UpstreamError.connectionLost)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(.connectionLost, closing: false)
        pool.remove(self)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(HTTPClientUpstream.classify(error), closing: true)
    }

    private func fail(_ error: UpstreamError, closing: Bool) {
        timer?.cancel()
        timer = nil
        if let failed = exchange {
            exchange = nil
            failDelivery(failed.delivery, error)
        }
        if closing { context?.close(promise: nil) }
    }

    /// Ends a call's delivery with `error`: its promise fails, or its streaming body breaks off.
    private func failDelivery(_ delivery: Delivery, _ error: UpstreamError) {
        switch delivery {
        case .buffered(let promise, _, _):
            promise.fail(error)
        case .streamed(_, .streaming(let source)):
            source.finish(error)
        case .streamed(let answered, .awaitingHead), .streamed(let answered, .headHeld):
            answered.fail(error)
        }
    }

    private func scheduleTimer(at deadline: NIODeadline, exchange number: UInt64) {
        guard let context else { return }
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            self.timerFired(exchange: number)
        }
    }

    /// Fails the call when its answer's head is past its deadline or the upstream has been silent
    /// too long; otherwise waits until the earliest moment either can happen. A streamed answer
    /// held back by its reader is not the upstream's silence.
    private func timerFired(exchange number: UInt64) {
        guard let current = exchange, current.number == number else { return }
        let now = NIODeadline.now()
        if readsPaused { lastActivity = now }
        let silentUntil = lastActivity + readTimeout
        // A buffered answer is due whole by the deadline; a streamed one only its head.
        var headDue = current.deadline
        if case .streamed = current.delivery, current.head != nil { headDue = .distantFuture }
        if now >= headDue || now >= silentUntil {
            fail(.timeout, closing: true)
        } else {
            scheduleTimer(at: min(headDue, silentUntil), exchange: number)
        }
    }
}
