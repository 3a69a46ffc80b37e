import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOPosix
import ShimServer
import Testing

/// The event-loop connection pools behind the translation path, over real sockets.
@Suite("Event-loop upstream client", .timeLimit(.minutes(2)))
struct EventLoopUpstreamTests {
    static let logger = Logger(label: "test")
    static let loops = Array(MultiThreadedEventLoopGroup.singleton.makeIterator()).count

    static func withUpstream<Result: Sendable>(
        _ base: String, timeouts: HTTPClientUpstream.Timeouts = .init(),
        _ body: (EventLoopUpstream) async throws -> Result
    ) async throws -> Result {
        let upstream = EventLoopUpstream(endpoint: try UpstreamEndpoint(base), timeouts: timeouts, logger: logger)
        do {
            let result = try await body(upstream)
            try await upstream.shutdown()
            return result
        } catch {
            try? await upstream.shutdown()
            throw error
        }
    }

    static func text(_ response: BufferedUpstreamResponse) -> String {
        String(buffer: response.body)
    }

    @Test("Calls reuse keep-alive connections: one per event loop at most for sequential calls")
    func reusesConnections() async throws {
        let server = CountingHTTPUpstream()
        try await server.run { base in
            // An idle timeout no busy machine reaches, so only reuse decides the connection count.
            try await Self.withUpstream(base, timeouts: .init(idle: .seconds(300))) { upstream in
                for _ in 0..<30 {
                    let response = try await upstream.exchange(
                        UpstreamRequest(method: .get, target: "/v2/customers/lookup?x=1", headers: [:]),
                        maxResponseBytes: 1024, logger: Self.logger
                    )
                    #expect(response.status == .ok)
                }
            }
        }
        #expect(server.requests == 30)
        #expect(server.connections <= Self.loops)
    }

    @Test("The request carries the upstream's Host, the base path and the body with its length")
    func sendsHostPathAndBody() async throws {
        let server = CountingHTTPUpstream()
        try await server.run { base in
            try await Self.withUpstream(base + "/vendor") { upstream in
                let port = try UpstreamEndpoint(base).port
                let response = try await upstream.exchange(
                    UpstreamRequest(
                        method: .post, target: "/v2/promotion/bulk/directEarn",
                        headers: [HTTPField.Name("Host")!: "evil.example"],
                        body: .bytes(ByteBuffer(string: #"{"a":1}"#))
                    ),
                    maxResponseBytes: 1024, logger: Self.logger
                )
                #expect(Self.text(response) == "POST /vendor/v2/promotion/bulk/directEarn host=127.0.0.1:\(port) length=7")
            }
        }
    }

    @Test("An answer with Connection: close is read whole, and the next call opens a new connection")
    func connectionClose() async throws {
        let server = CountingHTTPUpstream()
        try await server.run { base in
            try await Self.withUpstream(base) { upstream in
                for _ in 0..<3 {
                    let response = try await upstream.exchange(
                        UpstreamRequest(method: .get, target: "/close", headers: [:]),
                        maxResponseBytes: 1024, logger: Self.logger
                    )
                    #expect(Self.text(response).hasPrefix("GET /close"))
                }
            }
        }
        #expect(server.connections == 3)
    }

    @Test("An answer larger than the limit fails as responseTooLarge; a chunked one within it is read whole")
    func responseLimit() async throws {
        let server = CountingHTTPUpstream()
        try await server.run { base in
            try await Self.withUpstream(base) { upstream in
                let request = UpstreamRequest(method: .get, target: "/big", headers: [:])
                await #expect(throws: UpstreamError.responseTooLarge) {
                    try await upstream.exchange(request, maxResponseBytes: 2500, logger: Self.logger)
                }
                let whole = try await upstream.exchange(request, maxResponseBytes: 4000, logger: Self.logger)
                #expect(whole.body.readableBytes == 4000)
            }
        }
    }

    @Test("A silent upstream fails as a timeout after the read timeout, not the request timeout")
    func readTimeout() async throws {
        let server = CountingHTTPUpstream()
        try await server.run { base in
            // Long enough that a busy test process still answers the next call within it.
            let timeouts = HTTPClientUpstream.Timeouts(read: .seconds(3), request: .seconds(60))
            try await Self.withUpstream(base, timeouts: timeouts) { upstream in
                let started = ContinuousClock.now
                await #expect(throws: UpstreamError.timeout) {
                    try await upstream.exchange(
                        UpstreamRequest(method: .get, target: "/silent", headers: [:]),
                        maxResponseBytes: 1024, logger: Self.logger
                    )
                }
                let elapsed = ContinuousClock.now - started
                #expect(elapsed >= .milliseconds(2900))
                #expect(elapsed < .seconds(30))
                // The timed-out connection is not reused: the next call succeeds on a fresh one.
                let response = try await upstream.exchange(
                    UpstreamRequest(method: .get, target: "/ok", headers: [:]), maxResponseBytes: 1024, logger: Self.logger
                )
                #expect(response.status == .ok)
            }
        }
    }

    @Test("A refused connection fails as connectFailed, retried once only when allowed")
    func refused() async throws {
        try await withRefusingPort { port in
            try await Self.withUpstream("http://127.0.0.1:\(port)") { upstream in
                for retry in [false, true] {
                    await #expect(throws: UpstreamError.connectFailed) {
                        try await upstream.exchange(
                            UpstreamRequest(method: .get, target: "/", headers: [:], retryOnConnectFailure: retry),
                            maxResponseBytes: 1024, logger: Self.logger
                        )
                    }
                }
            }
        }
    }

    @Test("A target that is not an origin-form path never leaves the shim")
    func invalidTarget() async throws {
        let server = CountingHTTPUpstream()
        try await server.run { base in
            try await Self.withUpstream(base) { upstream in
                for target in ["http://elsewhere.example/", "//elsewhere.example/x", "/a b", "/a#b"] {
                    await #expect(throws: UpstreamError.invalidRequest) {
                        try await upstream.exchange(
                            UpstreamRequest(method: .get, target: target, headers: [:]), maxResponseBytes: 1024,
                            logger: Self.logger
                        )
                    }
                }
            }
        }
        #expect(server.requests == 0)
    }

    @Test("After shutdown calls fail at once instead of opening connections")
    func afterShutdown() async throws {
        let server = CountingHTTPUpstream()
        try await server.run { base in
            let upstream = EventLoopUpstream(endpoint: try UpstreamEndpoint(base), logger: Self.logger)
            _ = try await upstream.exchange(
                UpstreamRequest(method: .get, target: "/ok", headers: [:]), maxResponseBytes: 1024, logger: Self.logger
            )
            try await upstream.shutdown()
            await #expect(throws: UpstreamError.connectFailed) {
                try await upstream.exchange(
                    UpstreamRequest(method: .get, target: "/ok", headers: [:]), maxResponseBytes: 1024, logger: Self.logger
                )
            }
        }
        #expect(server.requests == 1)
    }
}
