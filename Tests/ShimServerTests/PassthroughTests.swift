import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1
import ShimServer
import Testing

/// Every other method and path goes to the upstream unchanged, streamed both ways.
@Suite("Passthrough", .timeLimit(.minutes(2)))
struct PassthroughTests {
    @Test("A GET is relayed with its path, query and end-to-end headers; the answer comes back as sent")
    func get() async throws {
        let upstream = RecordingUpstream { _ in
            Response(
                status: .accepted,
                headers: [.contentType: "text/plain", HTTPField.Name("X-Upstream")!: "yes", .connection: "close"],
                body: .init(byteBuffer: .init(string: "hello from upstream"))
            )
        }
        try await upstream.withShim { shim in
            let response = try await send(
                .GET,
                "\(shim.proxyURL)/v2/customers/lookup?source=INSTORE&identifierName=mobile&identifierValue=91%2B1",
                headers: [
                    tillAuthorization, ("X-Custom", "kept"), ("Connection", "X-Hop"), ("X-Hop", "dropped"),
                    ("Keep-Alive", "timeout=5"), ("X-Forwarded-For", "10.1.1.1"),
                ]
            )
            #expect(response.status == 202)
            #expect(response.text == "hello from upstream")
            #expect(response.headers["X-Upstream"] == ["yes"])
            // Deprecation headers belong to the legacy endpoint only.
            #expect(response.headers["Deprecation"].isEmpty)
            #expect(response.headers["Sunset"].isEmpty)
            #expect(response.headers["Link"].isEmpty)
        }
        let request = try #require(upstream.requests.first)
        #expect(request.method == .get)
        #expect(request.path == "/v2/customers/lookup")
        #expect(request.query == "source=INSTORE&identifierName=mobile&identifierValue=91%2B1")
        #expect(request.headers[.authorization] == tillAuthorization.1)
        #expect(request.headers[HTTPField.Name("X-Custom")!] == "kept")
        #expect(request.headers[HTTPField.Name("X-Hop")!] == nil)
        #expect(request.headers[HTTPField.Name("Keep-Alive")!] == nil)
        #expect(request.headers[HTTPField.Name("X-Forwarded-For")!] == "10.1.1.1, 127.0.0.1")
        #expect(request.headers[HTTPField.Name("X-Forwarded-Proto")!] == "http")
        #expect(request.authority?.hasPrefix("127.0.0.1:") == true)
    }

    @Test("A POST body of several megabytes is relayed byte for byte, and so is the answer")
    func postBody() async throws {
        let payload = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let upstream = RecordingUpstream { request in
            Response(status: .created, body: .init(byteBuffer: ByteBuffer(bytes: request.body.reversed())))
        }
        try await upstream.withShim { shim in
            let response = try await send(
                .POST,
                "\(shim.proxyURL)/v2/promotion/bulk/directEarn",
                headers: [tillAuthorization, ("Content-Type", "application/octet-stream")],
                body: payload
            )
            #expect(response.status == 201)
            #expect(response.body == payload.reversed())
        }
        #expect(upstream.requests.first?.body == payload)
        #expect(upstream.requests.first?.headers[.contentType] == "application/octet-stream")
    }

    @Test("Other methods on the legacy path pass through too")
    func legacyPathOtherMethod() async throws {
        let upstream = RecordingUpstream { _ in Response(status: .methodNotAllowed) }
        try await upstream.withShim { shim in
            let response = try await send(.GET, "\(shim.proxyURL)/v2/promotion/issue?identifierName=mobile")
            #expect(response.status == 405)
        }
        #expect(upstream.requests.map(\.path) == ["/v2/promotion/issue"])
    }

    @Test("TRACE and CONNECT are refused, never relayed")
    func traceAndConnect() async throws {
        let upstream = RecordingUpstream { _ in Response(status: .ok) }
        try await upstream.withShim { shim in
            let trace = try await send(.TRACE, "\(shim.proxyURL)/v2/x", headers: [tillAuthorization])
            #expect(trace.status == 405)
            let connect = try await rawExchange(
                port: shim.proxy,
                "CONNECT example.invalid:443 HTTP/1.1\r\nHost: example.invalid:443\r\nConnection: close\r\n\r\n"
            )
            #expect(!connect.hasPrefix("HTTP/1.1 200"))
        }
        #expect(upstream.requests.isEmpty)
    }

    @Test("An absolute-form target cannot send the request to another host")
    func absoluteFormStaysOnUpstream() async throws {
        let upstream = RecordingUpstream { _ in Response(status: .ok) }
        try await upstream.withShim { shim in
            // A raw socket: clients normally never send absolute-form to an origin server.
            let reply = try await rawExchange(
                port: shim.proxy,
                "GET http://example.invalid:9/steal?x=1 HTTP/1.1\r\nHost: example.invalid\r\nConnection: close\r\n\r\n"
            )
            #expect(reply.hasPrefix("HTTP/1.1 200"))
        }
        #expect(upstream.requests.map(\.path) == ["/steal"])
        #expect(upstream.requests.first?.authority?.hasPrefix("127.0.0.1:") == true)
    }
}
