import Foundation
import HTTPTypes
import ShimServer
import Testing

/// The proxy listener's connection handling on the wire: keep-alive, pipelining, `Connection:
/// close`, and a request it cannot parse.
@Suite("Proxy listener connections", .timeLimit(.minutes(2)))
struct ProxyListenerTests {
    static let body = #"{"programId":469,"promotionId":65777}"#

    static func legacyCall(connection: String? = nil) -> String {
        let connectionLine = connection.map { "Connection: \($0)\r\n" } ?? ""
        return "POST /v2/promotion/issue?\(ShimOverSandboxTests.mobile) HTTP/1.1\r\nHost: shim\r\n"
            + "Authorization: \(tillAuthorization.1)\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.utf8.count)\r\n\(connectionLine)\r\n\(body)"
    }

    static let lookup = "GET /v2/customers/lookup?source=INSTORE HTTP/1.1\r\nHost: shim\r\n\r\n"

    static func count(_ marker: String, in text: String) -> Int {
        text.components(separatedBy: marker).count - 1
    }

    @Test("Requests pipelined in one write are answered in order on the same connection, which stays open")
    func pipelinedRequestsAnsweredInOrder() async throws {
        let upstream = RecordingUpstream { request in
            request.path.hasPrefix("/v2/customers/lookup")
                ? RecordingUpstream.json(#"{"entity":552695692,"warnings":[]}"#)
                : RecordingUpstream.json(RecordingUpstream.bulkSuccess)
        }
        try await upstream.run { base in
            try await withShim(upstream: base) { shim in
                let connection = try await RawConnection(port: shim.proxy)
                try await connection.write(Self.legacyCall() + Self.lookup + Self.legacyCall())
                #expect(await connection.waitFor("sideEffects", within: .seconds(10)))
                let done = await connection.waitFor(#"{"entity""#, within: .seconds(10))
                #expect(done)
                // Wait for the third answer: two legacy answers in all.
                let deadline = ContinuousClock.now + .seconds(10)
                while Self.count("sideEffects", in: connection.text) < 2, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(10))
                }
                let text = connection.text
                #expect(Self.count("HTTP/1.1 200 OK", in: text) == 3, "\(text)")
                let lookupAnswer = try #require(text.range(of: #"{"entity""#))
                let firstLegacy = try #require(text.range(of: "sideEffects"))
                let lastLegacy = try #require(text.range(of: "sideEffects", options: .backwards))
                #expect(firstLegacy.lowerBound < lookupAnswer.lowerBound)
                #expect(lookupAnswer.lowerBound < lastLegacy.lowerBound)
                #expect(!connection.isClosed)
                await connection.close()
            }
        }
        #expect(upstream.requests.map(\.path).map { $0.split(separator: "?").first.map(String.init) ?? "" } == [
            "/v2/promotion/bulk/directEarn", "/v2/customers/lookup", "/v2/promotion/bulk/directEarn",
        ])
    }

    @Test("A caller that sends Connection: close gets its answer marked so, then the connection closes")
    func connectionCloseIsHonoured() async throws {
        let upstream = RecordingUpstream { _ in RecordingUpstream.json(RecordingUpstream.bulkSuccess) }
        try await upstream.run { base in
            try await withShim(upstream: base) { shim in
                let connection = try await RawConnection(port: shim.proxy)
                try await connection.write(Self.legacyCall(connection: "close"))
                #expect(await connection.waitFor("sideEffects"))
                #expect(connection.text.lowercased().contains("\r\nconnection: close\r\n"), "\(connection.text)")
                #expect(await connection.waitForClose(), "still open after 5 s")
            }
        }
    }

    @Test("A request the shim cannot parse gets 400 and the connection closes; nothing goes upstream")
    func unparseableRequest() async throws {
        let upstream = RecordingUpstream { _ in RecordingUpstream.json("{}") }
        try await upstream.run { base in
            try await withShim(upstream: base) { shim in
                let connection = try await RawConnection(port: shim.proxy)
                try await connection.write("GET / HTTP/1.1\r\nHost: shim\r\nBad Header\r\n\r\n")
                #expect(await connection.waitFor("\r\n\r\n"))
                #expect(connection.text.hasPrefix("HTTP/1.1 400"), "\(connection.text.prefix(120))")
                #expect(await connection.waitForClose(), "still open after 5 s")
            }
        }
        #expect(upstream.requests.isEmpty)
    }
}
