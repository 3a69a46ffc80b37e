import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// An https upstream on a free loopback port, with a certificate made at test time: `/drip` answers
/// a chunked body that never ends (a chunk every 100 ms, like a long download), every POST the
/// documented bulk success (after `postDelay`), anything else 200. It counts the POSTs it received.
final class TLSUpstream: Sendable {
    let postDelay: TimeAmount
    private let posts = Mutex(0)

    init(postDelay: TimeAmount = .zero) {
        self.postDelay = postDelay
    }

    /// POST requests received so far.
    var postsReceived: Int { posts.withLock { $0 } }

    /// A self-signed certificate and key for `localhost`, made by openssl in a fresh directory.
    static func makeCertificate() throws -> (certificates: [NIOSSLCertificate], key: NIOSSLPrivateKey) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-subj", "/CN=localhost", "-keyout", directory + "/key.pem", "-out", directory + "/cert.pem",
        ]
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        return (
            try NIOSSLCertificate.fromPEMFile(directory + "/cert.pem"),
            try NIOSSLPrivateKey(file: directory + "/key.pem", format: .pem)
        )
    }

    /// Runs the upstream for the duration of `body`, handing it the base URL (`https://127.0.0.1:PORT`).
    func run<Result: Sendable>(_ body: (String) async throws -> Result) async throws -> Result {
        let (certificates, key) = try Self.makeCertificate()
        let context = try NIOSSLContext(
            configuration: .makeServerConfiguration(
                certificateChain: certificates.map { .certificate($0) }, privateKey: .privateKey(key)
            )
        )
        return try await withLoopbackServer(childChannelInitializer: { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                try channel.pipeline.syncOperations.addHandler(Handler(owner: self))
            }
        }) { base in
            try await body("https://" + base.dropFirst("http://".count))
        }
    }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        // Confined to its channel's event loop.
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        private let owner: TLSUpstream
        private var head: HTTPRequestHead?
        private var drip: RepeatedTask?

        init(owner: TLSUpstream) {
            self.owner = owner
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head): self.head = head
            case .body: break
            case .end:
                guard let head else { return }
                answer(head, context: context)
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            drip?.cancel()
            context.fireChannelInactive()
        }

        private func answer(_ request: HTTPRequestHead, context: ChannelHandlerContext) {
            if request.uri == "/drip" {
                var headers = HTTPHeaders()
                headers.add(name: "transfer-encoding", value: "chunked")
                context.writeAndFlush(
                    wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
                let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                drip = context.eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(100), delay: .milliseconds(100)) { _ in
                    let (handler, context) = loopBound.value
                    context.writeAndFlush(handler.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "x")))), promise: nil)
                }
                return
            }
            let isPost = request.method == .POST
            if isPost { owner.posts.withLock { $0 += 1 } }
            let text = isPost ? RecordingUpstream.bulkSuccess : ""
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: isPost ? owner.postDelay : .zero) {
                let (handler, context) = loopBound.value
                var headers = HTTPHeaders()
                headers.add(name: "content-type", value: "application/json")
                headers.add(name: "content-length", value: String(text.utf8.count))
                context.write(
                    handler.wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))),
                    promise: nil)
                context.write(handler.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
                context.writeAndFlush(handler.wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}
