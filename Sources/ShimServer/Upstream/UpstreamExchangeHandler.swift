import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1

#if canImport(Glibc)
import Glibc
#endif

/// The protocol end of one pooled upstream connection: sends one request at a time and reads its
/// whole (small) answer into memory.
///
/// Lives on its channel's event loop and is touched only there (hence `@unchecked Sendable`). Per
/// call it costs one scheduled timer, which covers both the read timeout (longest silence) and the
/// overall deadline.
final class UpstreamExchangeHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    /// The call in flight on this connection.
    private struct Exchange {
        let number: UInt64
        let promise: EventLoopPromise<BufferedUpstreamResponse>
        let maxResponseBytes: Int
        let deadline: NIODeadline
        var head: HTTPResponseHead?
        var body: ByteBuffer?
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
    private var lastRead = NIODeadline.now()
    private var timer: Scheduled<Void>?
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
        exchangeCount &+= 1
        exchange = Exchange(number: exchangeCount, promise: promise, maxResponseBytes: maxResponseBytes, deadline: deadline)
        lastRead = .now()
        scheduleTimer(at: min(deadline, lastRead + readTimeout), exchange: exchangeCount)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if let body, body.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        let number = exchangeCount
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { result in
            switch result {
            case .success:
                if self.exchange?.number == number { self.exchange?.requestWritten = true }
            case .failure(let error):
                // A write on a channel that was already closed sent nothing at all.
                if let channelError = error as? ChannelError, channelError == .ioOnClosedChannel,
                    self.exchange?.number == number, self.exchange?.head == nil
                {
                    self.fail(.connectFailed, closing: true)
                } else {
                    self.fail(.connectionLost, closing: true)
                }
            }
        }
    }

    /// Closes the connection (on shutdown, or when the pool has enough idle ones).
    func close() {
        context?.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard var current = exchange else {
            // An answer nobody asked for: the connection is out of step, so it cannot be reused.
            context.close(promise: nil)
            return
        }
        lastRead = .now()
        switch unwrapInboundIn(data) {
        case .head(let head):
            if head.status.code >= 100, head.status.code < 200, head.status != .switchingProtocols {
                current.inInterimAnswer = true
            } else {
                if let length = head.headers.first(name: "content-length").flatMap(Int.init),
                    length > current.maxResponseBytes
                {
                    exchange = current
                    fail(.responseTooLarge, closing: true)
                    return
                }
                current.head = head
            }
        case .body(var part):
            guard !current.inInterimAnswer else { break }
            if (current.body?.readableBytes ?? 0) + part.readableBytes > current.maxResponseBytes {
                exchange = current
                fail(.responseTooLarge, closing: true)
                return
            }
            if current.body == nil {
                current.body = part
            } else {
                current.body!.writeBuffer(&part)
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

    private func finish(_ finished: Exchange, context: ChannelHandlerContext) {
        exchange = nil
        timer?.cancel()
        timer = nil
        guard let head = finished.head else {
            finished.promise.fail(UpstreamError.connectionLost)
            context.close(promise: nil)
            return
        }
        let response = BufferedUpstreamResponse(
            status: HTTPResponse.Status(code: Int(head.status.code)),
            headers: HTTPFields(head.headers, splitCookie: false),
            body: finished.body ?? ByteBuffer()
        )
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
        finished.promise.succeed(response)
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
            failed.promise.fail(error)
        }
        if closing { context?.close(promise: nil) }
    }

    private func scheduleTimer(at deadline: NIODeadline, exchange number: UInt64) {
        guard let context else { return }
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            self.timerFired(exchange: number)
        }
    }

    /// Fails the call when it passed its deadline or the upstream has been silent too long;
    /// otherwise waits until the earliest moment either can happen.
    private func timerFired(exchange number: UInt64) {
        guard let current = exchange, current.number == number else { return }
        let now = NIODeadline.now()
        let silentUntil = lastRead + readTimeout
        if now >= current.deadline || now >= silentUntil {
            fail(.timeout, closing: true)
        } else {
            scheduleTimer(at: min(current.deadline, silentUntil), exchange: number)
        }
    }
}
