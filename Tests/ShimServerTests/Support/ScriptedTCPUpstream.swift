import Foundation
import ShimServer
import NIOCore
import NIOPosix
import Synchronization

/// A raw TCP upstream that reads one HTTP request per connection and then misbehaves as told:
/// closes without answering, answers bytes that are not HTTP, or truncates its answer.
final class ScriptedTCPUpstream: Sendable {
    enum Script: Sendable {
        /// Close the connection once the request has arrived, answering nothing.
        case closeAfterRequest
        /// Write these bytes, then close.
        case answer(String)
    }

    let script: Script
    private let requestCount = Mutex(0)

    init(_ script: Script) {
        self.script = script
    }

    /// Requests received so far (a request counts once its head has arrived).
    var requests: Int { requestCount.withLock { $0 } }

    func run<Result: Sendable>(_ body: (String) async throws -> Result) async throws -> Result {
        try await withLoopbackServer(childChannelInitializer: { channel in
            channel.pipeline.addHandler(Handler(owner: self))
        }, body)
    }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        // Confined to its channel's event loop.
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let owner: ScriptedTCPUpstream
        var received = ""

        init(owner: ScriptedTCPUpstream) {
            self.owner = owner
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            received += String(buffer: buffer)
            guard let headEnd = received.range(of: "\r\n\r\n") else { return }
            let head = received[..<headEnd.lowerBound].lowercased()
            let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
            guard received[headEnd.upperBound...].utf8.count >= length else { return }
            let channel = context.channel
            if head.contains("promo-shim-readiness-probe") {
                let ok = "HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: ok))).whenComplete { _ in channel.close(promise: nil) }
                return
            }
            owner.requestCount.withLock { $0 += 1 }
            switch owner.script {
            case .closeAfterRequest:
                context.close(promise: nil)
            case .answer(let text):
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text))).whenComplete { _ in
                    channel.close(promise: nil)
                }
            }
        }
    }
}
