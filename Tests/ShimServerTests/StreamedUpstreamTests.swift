import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import ShimServer
import Synchronization
import Testing

/// Passthrough's streamed calls on the event-loop connection pools, over real sockets.
@Suite("Streamed calls on the event-loop pools", .timeLimit(.minutes(2)))
struct StreamedUpstreamTests {
    static let logger = Logger(label: "test")
    static let loops = Array(MultiThreadedEventLoopGroup.singleton.makeIterator()).count

    /// Reads a streamed answer; with `leaveAfter`, stops reading (throws) once that many bytes came.
    struct Reader: ResponseBodyWriter {
        struct Left: Error {}
        let received: Received
        let leaveAfter: Int

        mutating func write(_ buffer: ByteBuffer) async throws {
            let count = received.append(buffer)
            if count >= leaveAfter { throw Left() }
        }

        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }

    final class Received: Sendable {
        private let text = Mutex("")
        func append(_ buffer: ByteBuffer) -> Int {
            text.withLock { text in
                text += String(buffer: buffer)
                return text.utf8.count
            }
        }
        var value: String { text.withLock { $0 } }
    }

    static func read(_ response: UpstreamResponse, leaveAfter: Int = .max) async throws -> String {
        let received = Received()
        try await response.body.write(Reader(received: received, leaveAfter: leaveAfter))
        return received.value
    }

    @Test("Streamed calls read whole reuse keep-alive connections, as buffered ones do")
    func reusesConnections() async throws {
        let server = CountingHTTPUpstream()
        try await server.run { base in
            let upstream = EventLoopUpstream(
                endpoint: try UpstreamEndpoint(base), timeouts: .init(idle: .seconds(300)), logger: Self.logger)
            for index in 0..<30 {
                let response = try await upstream.stream(
                    UpstreamRequest(method: .get, target: "/v2/anything?n=\(index)", headers: [:]), logger: Self.logger)
                #expect(response.status == .ok)
                #expect(try await Self.read(response).hasPrefix("GET /v2/anything?n=\(index) "))
            }
            try await upstream.shutdown()
        }
        #expect(server.requests == 30)
        #expect(server.connections <= Self.loops)
    }

    @Test("An answer that ends in the read that brought its head is handed over whole; a longer one streams")
    func smallAnswersWhole() async throws {
        let server = CountingHTTPUpstream()
        try await server.run { base in
            let upstream = EventLoopUpstream(endpoint: try UpstreamEndpoint(base), logger: Self.logger)
            let small = try await upstream.stream(
                UpstreamRequest(method: .get, target: "/v2/small", headers: [:]), logger: Self.logger)
            let text = try await Self.read(small)
            #expect(text.hasPrefix("GET /v2/small "))
            // Whole: its length is known before it is written, so no stream stands behind it.
            #expect(small.body.contentLength == text.utf8.count)
            let endless = try await upstream.stream(
                UpstreamRequest(method: .get, target: "/endless", headers: [:]), logger: Self.logger)
            #expect(endless.body.contentLength == nil)
            await #expect(throws: Reader.Left.self) { try await Self.read(endless, leaveAfter: 1) }
            try await upstream.shutdown()
        }
    }

    @Test("A chunked request body streams to the upstream whole, framed as chunked")
    func chunkedUpload() async throws {
        let server = CountingHTTPUpstream()
        try await server.run { base in
            let upstream = EventLoopUpstream(endpoint: try UpstreamEndpoint(base), logger: Self.logger)
            let parts = AsyncStream<ByteBuffer> { continuation in
                for _ in 0..<50 { continuation.yield(ByteBuffer(repeating: UInt8(ascii: "y"), count: 10_000)) }
                continuation.finish()
            }
            let response = try await upstream.stream(
                UpstreamRequest(
                    method: .post, target: "/upload", headers: [:],
                    body: .stream(RequestBody(asyncSequence: parts), length: nil)
                ),
                logger: Self.logger
            )
            #expect(try await Self.read(response).hasSuffix("length=500000"))
            try await upstream.shutdown()
        }
    }

    @Test("A reader that leaves before the answer's end closes the upstream connection; it is never reused")
    func readerLeaves() async throws {
        let server = CountingHTTPUpstream()
        try await server.run { base in
            // Timeouts no test reaches: only the reader's leaving can close the connection.
            let upstream = EventLoopUpstream(
                endpoint: try UpstreamEndpoint(base),
                timeouts: .init(read: .seconds(300), request: .seconds(300), idle: .seconds(300)), logger: Self.logger)
            let endless = try await upstream.stream(
                UpstreamRequest(method: .get, target: "/endless", headers: [:]), logger: Self.logger)
            await #expect(throws: Reader.Left.self) { try await Self.read(endless, leaveAfter: 1) }
            #expect(await eventually { server.closedConnections == 1 }, "the abandoned answer's connection stayed open")
            let next = try await upstream.stream(
                UpstreamRequest(method: .get, target: "/next", headers: [:]), logger: Self.logger)
            #expect(try await Self.read(next).hasPrefix("GET /next "))
            try await upstream.shutdown()
        }
        #expect(server.connections == 2)
    }

    @Test("A body that cannot be read whole cuts the request short: the connection closes, the call fails")
    func bodyFails() async throws {
        struct Broken: Error {}
        let server = CountingHTTPUpstream()
        try await server.run { base in
            let upstream = EventLoopUpstream(endpoint: try UpstreamEndpoint(base), logger: Self.logger)
            let parts = AsyncThrowingStream<ByteBuffer, any Error> { continuation in
                continuation.yield(ByteBuffer(string: "half"))
                continuation.finish(throwing: Broken())
            }
            await #expect(throws: UpstreamError.connectionLost) {
                _ = try await upstream.stream(
                    UpstreamRequest(
                        method: .post, target: "/upload", headers: [:],
                        body: .stream(RequestBody(asyncSequence: parts), length: 100)
                    ),
                    logger: Self.logger
                )
            }
            #expect(await eventually { server.closedConnections == 1 })
            try await upstream.shutdown()
        }
        #expect(server.requests == 0)
    }

    @Test("A silent upstream fails a streamed call as a timeout when its head is due")
    func silentUpstream() async throws {
        let server = CountingHTTPUpstream()
        try await server.run { base in
            let upstream = EventLoopUpstream(
                endpoint: try UpstreamEndpoint(base), timeouts: .init(read: .milliseconds(200)), logger: Self.logger)
            await #expect(throws: UpstreamError.timeout) {
                _ = try await upstream.stream(
                    UpstreamRequest(method: .get, target: "/silent", headers: [:]), logger: Self.logger)
            }
            try await upstream.shutdown()
        }
    }
}
