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
        try await upstream.withShim { shim in
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
        #expect(
            upstream.requests.map(\.path).map { $0.split(separator: "?").first.map(String.init) ?? "" } == [
                "/v2/promotion/bulk/directEarn", "/v2/customers/lookup", "/v2/promotion/bulk/directEarn",
            ])
    }

    @Test("A caller that sends Connection: close gets its answer marked so, then the connection closes")
    func connectionCloseIsHonoured() async throws {
        let upstream = RecordingUpstream { _ in RecordingUpstream.json(RecordingUpstream.bulkSuccess) }
        try await upstream.withShim { shim in
            let connection = try await RawConnection(port: shim.proxy)
            try await connection.write(Self.legacyCall(connection: "close"))
            #expect(await connection.waitFor("sideEffects"))
            #expect(connection.text.lowercased().contains("\r\nconnection: close\r\n"), "\(connection.text)")
            #expect(await connection.waitForClose(), "still open after 5 s")
        }
    }

    @Test("A request the shim cannot parse gets 400 and the connection closes; nothing goes upstream")
    func unparseableRequest() async throws {
        let upstream = RecordingUpstream { _ in RecordingUpstream.json("{}") }
        try await upstream.withShim { shim in
            let connection = try await RawConnection(port: shim.proxy)
            try await connection.write("GET / HTTP/1.1\r\nHost: shim\r\nBad Header\r\n\r\n")
            #expect(await connection.waitFor("\r\n\r\n"))
            #expect(connection.text.hasPrefix("HTTP/1.1 400"), "\(connection.text.prefix(120))")
            #expect(await connection.waitForClose(), "still open after 5 s")
        }
        #expect(upstream.requests.isEmpty)
    }

    /// An upstream whose bulk answers take `delay`.
    static func slowVendor(_ delay: Duration) -> RecordingUpstream {
        RecordingUpstream { _ in
            try await Task.sleep(for: delay)
            return RecordingUpstream.json(RecordingUpstream.bulkSuccess)
        }
    }

    @Test("A malformed request pipelined behind a call still upstream: the call is answered, then 400, then the close")
    func malformedBehindACallInFlight() async throws {
        let upstream = Self.slowVendor(.milliseconds(400))
        try await upstream.withShim { shim in
            let connection = try await RawConnection(port: shim.proxy)
            try await connection.write(Self.legacyCall())
            try await Task.sleep(for: .milliseconds(100))
            try await connection.write("GARBAGE\r\n\r\n")
            #expect(await connection.waitForClose(within: .seconds(10)), "still open after 10 s")
            let text = connection.text
            let answer = try #require(text.range(of: "sideEffects"), "the call in flight got no answer: \(text)")
            let badRequest = try #require(text.range(of: "HTTP/1.1 400"), "no 400: \(text)")
            #expect(answer.lowerBound < badRequest.lowerBound)
        }
        #expect(upstream.requests.count == 1)
    }

    @Test("Calls pipelined before a request with Connection: close are all answered, and that one too")
    func pipelinedBeforeConnectionClose() async throws {
        let upstream = RecordingUpstream { _ in RecordingUpstream.json(RecordingUpstream.bulkSuccess) }
        try await upstream.withShim { shim in
            let connection = try await RawConnection(port: shim.proxy)
            try await connection.write(Self.legacyCall() + Self.legacyCall(connection: "close") + Self.legacyCall())
            #expect(await connection.waitForClose(within: .seconds(10)), "still open after 10 s")
            #expect(Self.count("sideEffects", in: connection.text) == 2, "\(connection.text)")
        }
        #expect(upstream.requests.count == 2)
    }

    @Test("Calls pipelined before a half-close each leave a usage record")
    func pipelinedBeforeHalfClose() async throws {
        let usage = UsageLogTests.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: usage) }
        let upstream = Self.slowVendor(.milliseconds(200))
        try await upstream.withShim(configure: { $0.usageLog = .file(usage) }) { shim in
            let connection = try await RawConnection(port: shim.proxy)
            try await connection.write(Self.legacyCall() + Self.legacyCall() + Self.legacyCall())
            try await connection.closeOutput()
            #expect(await connection.waitForClose(within: .seconds(10)), "still open after 10 s")
        }
        let records = try UsageLogTests.records(at: usage)
        #expect(records.count == 3, "\(records.map { $0["outcome"] ?? "?" })")
    }

    @Test("A legacy body cut off by the body timeout leaves a rejected usage record (9904)")
    func cutOffBodyIsRecorded() async throws {
        let usage = UsageLogTests.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: usage) }
        let upstream = RecordingUpstream { _ in RecordingUpstream.json(RecordingUpstream.bulkSuccess) }
        try await upstream.withShim(
            configure: {
                $0.usageLog = .file(usage)
                $0.requestBodyTimeout = .milliseconds(300)
            }
        ) { shim in
            let connection = try await RawConnection(port: shim.proxy)
            let call = Self.legacyCall()
            try await connection.write(String(call.dropLast(10)))
            #expect(await connection.waitFor("HTTP/1.1 408", within: .seconds(10)))
            #expect(await connection.waitForClose(within: .seconds(10)))
        }
        #expect(upstream.requests.isEmpty)
        let records = try UsageLogTests.records(at: usage)
        #expect(records.count == 1)
        #expect(records.first?["outcome"] as? String == "rejected")
        #expect(records.first?["codes"] as? [Int] == [9904])
    }

    @Test("An HTTP/1.0 request without keep-alive is answered, then the connection closes")
    func http10Closes() async throws {
        let upstream = RecordingUpstream { _ in RecordingUpstream.json("{}") }
        try await upstream.withShim { shim in
            let connection = try await RawConnection(port: shim.proxy)
            try await connection.write("GET /v2/customers/lookup HTTP/1.0\r\nHost: shim\r\n\r\n")
            #expect(await connection.waitForClose(within: .seconds(10)), "still open after 10 s")
            #expect(connection.text.hasPrefix("HTTP/1.1 200"), "\(connection.text.prefix(100))")
        }
    }

    @Test("CONNECT gets 405 and the connection closes, which ends the answer")
    func connectRefused() async throws {
        let upstream = RecordingUpstream { _ in RecordingUpstream.json("{}") }
        try await upstream.withShim { shim in
            let connection = try await RawConnection(port: shim.proxy)
            try await connection.write("CONNECT vendor.example:443 HTTP/1.1\r\nHost: vendor.example:443\r\n\r\n")
            #expect(await connection.waitForClose(within: .seconds(10)), "still open after 10 s")
            #expect(connection.text.hasPrefix("HTTP/1.1 405"), "\(connection.text.prefix(100))")
            // NIO's encoder leaves the length out of an answer to CONNECT; the close delimits it.
            #expect(connection.text.lowercased().contains("connection: close"))
        }
        #expect(upstream.requests.isEmpty)
    }

    @Test(
        "A passthrough request cut off by a half-close behind a call in flight is never sent upstream, and the connection closes")
    func cutOffPassthroughBehindACall() async throws {
        let upstream = RecordingUpstream { request in
            if request.path.hasPrefix("/v2/promotion/bulk") { try await Task.sleep(for: .milliseconds(300)) }
            return RecordingUpstream.json(RecordingUpstream.bulkSuccess)
        }
        try await upstream.withShim { shim in
            let connection = try await RawConnection(port: shim.proxy)
            try await connection.write(
                Self.legacyCall() + "POST /upload HTTP/1.1\r\nHost: shim\r\nContent-Length: 100\r\n\r\nabc"
            )
            try await Task.sleep(for: .milliseconds(50))
            try await connection.closeOutput()
            #expect(await connection.waitForClose(within: .seconds(10)), "still open after 10 s")
            // The call in flight is answered: issued, or 499 when the half-close came before it was sent.
            #expect(
                connection.text.hasPrefix("HTTP/1.1 200") || connection.text.hasPrefix("HTTP/1.1 499"),
                "\(connection.text.prefix(80))")
        }
        #expect(!upstream.requests.contains { $0.path == "/upload" }, "the cut-off request went upstream")
    }
}
