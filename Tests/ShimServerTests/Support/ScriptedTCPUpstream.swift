import Foundation
import NIOCore
import NIOPosix
import ShimServer
import Synchronization

/// A raw TCP upstream that reads HTTP requests and then misbehaves as told: closes without
/// answering, answers bytes that are not HTTP, truncates its answer, or answers and keeps the
/// connection open (for the connection reuse rules). It counts requests and connections.
final class ScriptedTCPUpstream: Sendable {
    enum Script: Sendable {
        /// Close the connection once the request has arrived, answering nothing.
        case closeAfterRequest
        /// Write these bytes, then close.
        case answer(String)
        /// Write these bytes for every request and keep the connection open.
        case answerKeepingOpen(String)
    }

    let script: Script
    private let requestCount = Mutex(0)
    private let connectionCounts = Mutex((open: 0, mostRequestsOnOne: 0))

    init(_ script: Script) {
        self.script = script
    }

    /// Requests received so far (a request counts once its head has arrived).
    var requests: Int { requestCount.withLock { $0 } }
    /// Connections still open.
    var connectionsOpen: Int { connectionCounts.withLock { $0.open } }
    /// The most requests any one connection carried.
    var mostRequestsOnOneConnection: Int { connectionCounts.withLock { $0.mostRequestsOnOne } }

    func run<Result: Sendable>(_ body: (String) async throws -> Result) async throws -> Result {
        try await withLoopbackServer(
            childChannelInitializer: { channel in
                channel.pipeline.addHandler(Handler(owner: self))
            }, body)
    }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        // Confined to its channel's event loop.
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let owner: ScriptedTCPUpstream
        var received = ""
        var requestsHere = 0

        init(owner: ScriptedTCPUpstream) {
            self.owner = owner
        }

        func channelActive(context: ChannelHandlerContext) {
            owner.connectionCounts.withLock { $0.open += 1 }
            context.fireChannelActive()
        }

        func channelInactive(context: ChannelHandlerContext) {
            owner.connectionCounts.withLock { $0.open -= 1 }
            context.fireChannelInactive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            received += String(buffer: buffer)
            while handleRequest(context: context) {}
        }

        /// Handles the first complete request received, if any; returns whether to look for another.
        private func handleRequest(context: ChannelHandlerContext) -> Bool {
            guard let headEnd = received.range(of: "\r\n\r\n") else { return false }
            let head = received[..<headEnd.lowerBound].lowercased()
            let length =
                head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
            guard received[headEnd.upperBound...].utf8.count >= length else { return false }
            let channel = context.channel
            if head.contains("promo-shim-readiness-probe") {
                let ok = "HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: ok))).whenComplete { _ in channel.close(promise: nil) }
                return false
            }
            owner.requestCount.withLock { $0 += 1 }
            requestsHere += 1
            let count = requestsHere
            owner.connectionCounts.withLock { $0.mostRequestsOnOne = max($0.mostRequestsOnOne, count) }
            switch owner.script {
            case .closeAfterRequest:
                context.close(promise: nil)
                return false
            case .answer(let text):
                // The answer and the close leave together, as from a server that closes right
                // after answering: corked, the kernel sends the data and the FIN in one segment,
                // so the close is already there when the answer is read (no timing involved).
                let cork = ChannelOptions.Types.SocketOption(level: .tcp, name: .init(rawValue: 3))  // TCP_CORK
                try? context.channel.syncOptions?.setOption(cork, value: 1)
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text)), promise: nil)
                context.close(promise: nil)
                return false
            case .answerKeepingOpen(let text):
                let bodyStart = received.utf8.index(headEnd.upperBound, offsetBy: 0)
                let requestEnd = received.utf8.index(bodyStart, offsetBy: length)
                received = String(received[requestEnd...])
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text)), promise: nil)
                return true
            }
        }
    }
}
