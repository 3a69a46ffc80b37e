import Foundation
import Hummingbird
import NIOHTTP1
import ShimServer
import Testing

/// The proxy listener does not keep connections that send too little: a head that does not end,
/// a body that stalls, a keep-alive connection left idle. Each test configures a short timeout and
/// asserts the connection is closed within a generous bound, never how long it took.
@Suite("Listener timeouts", .timeLimit(.minutes(3)))
struct ListenerTimeoutTests {
    static func shortTimeouts(_ configuration: inout ShimConfiguration) {
        configuration.requestHeadTimeout = .milliseconds(300)
        configuration.requestBodyTimeout = .milliseconds(300)
        configuration.idleTimeout = .milliseconds(300)
    }

    /// Runs a shim with short head and body timeouts; returns the requests its upstream received.
    @discardableResult
    static func withShortTimeoutShim(
        readTimeouts: Duration = .milliseconds(300), _ body: (ShimPorts) async throws -> Void
    ) async throws -> [RecordedRequest] {
        let upstream = RecordingUpstream { _ in RecordingUpstream.json(RecordingUpstream.bulkSuccess) }
        try await upstream.run { base in
            try await withShim(
                upstream: base,
                configure: {
                    $0.requestHeadTimeout = readTimeouts
                    $0.requestBodyTimeout = readTimeouts
                    $0.idleTimeout = .seconds(30)
                }, body: body)
        }
        return upstream.requests
    }

    @Test(
        "A head that is not finished in time gets 408 and the connection is closed",
        arguments: ["POST /v2/promotion/issue HTTP/1.1\r\nHost: shim\r\n", "GET /v2/other HTT", "P"]
    )
    func halfSentHead(bytes: String) async throws {
        try await Self.withShortTimeoutShim { shim in
            let connection = try await RawConnection(port: shim.proxy)
            try await connection.write(bytes)
            #expect(await connection.waitForClose(), "still open after 5 s")
            #expect(connection.text.hasPrefix("HTTP/1.1 408"), "\(connection.text.prefix(120))")
            await connection.close()
        }
    }

    @Test(
        "A body that stalls gets 408 and the connection is closed, on the legacy path and on passthrough",
        arguments: ["/v2/promotion/issue?\(ShimOverSandboxTests.mobile)", "/v2/customers/add"]
    )
    func stalledBody(target: String) async throws {
        let sent = try await Self.withShortTimeoutShim { shim in
            let connection = try await RawConnection(port: shim.proxy)
            try await connection.write(
                "POST \(target) HTTP/1.1\r\nHost: shim\r\nAuthorization: \(tillAuthorization.1)\r\nContent-Length: 37\r\n\r\n{\"progr"
            )
            #expect(await connection.waitForClose(), "still open after 5 s")
            #expect(connection.text.hasPrefix("HTTP/1.1 408"), "\(connection.text.prefix(120))")
            await connection.close()
        }
        // A legacy call cut off is never sent; a passthrough body cut off never reaches the upstream whole.
        #expect(sent.allSatisfy { $0.body.count < 37 } && !sent.contains { $0.path.hasSuffix("directEarn") })
    }

    @Test("A body that keeps arriving slowly is not cut off by the body timeout, which measures silence")
    func slowButSteadyBody() async throws {
        try await Self.withShortTimeoutShim(readTimeouts: .milliseconds(1500)) { shim in
            let connection = try await RawConnection(port: shim.proxy)
            let body = #"{"programId":469,"promotionId":65777}"#
            try await connection.write(
                "POST /v2/promotion/issue?\(ShimOverSandboxTests.mobile) HTTP/1.1\r\nHost: shim\r\nAuthorization: \(tillAuthorization.1)\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
            )
            // Pauses of 100 ms, far under the 1.5 s timeout; the whole body takes more than twice as long as it.
            for character in body {
                try await connection.write(String(character))
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(await connection.waitFor(#""sideEffects""#), "\(connection.text.prefix(200))")
            #expect(connection.text.hasPrefix("HTTP/1.1 200"))
            await connection.close()
        }
    }

    @Test("An idle keep-alive connection is closed after the idle timeout; a fresh one that sends nothing too")
    func idleKeepAlive() async throws {
        let upstream = RecordingUpstream { _ in Response(status: .ok) }
        try await upstream.run { base in
            // An idle timeout a loaded test process cannot outlast between connecting and writing
            // the first request (300 ms did, now and then, closing it before the request arrived).
            try await withShim(
                upstream: base,
                configure: {
                    Self.shortTimeouts(&$0)
                    $0.idleTimeout = .seconds(2)
                }
            ) { shim in
                let used = try await RawConnection(port: shim.proxy)
                try await used.write("GET /v2/other HTTP/1.1\r\nHost: shim\r\n\r\n")
                #expect(await used.waitFor("HTTP/1.1 200"), "\(used.text.prefix(300)) closed=\(used.isClosed)")
                #expect(await used.waitForClose(within: .seconds(20)), "keep-alive connection still open after 20 s")
                #expect(!used.text.contains("408"))
                let silent = try await RawConnection(port: shim.proxy)
                #expect(await silent.waitForClose(within: .seconds(20)), "silent connection still open after 20 s")
                #expect(silent.text.isEmpty)
                await used.close()
                await silent.close()
            }
        }
    }

    @Test("SIGTERM is not held up by idle connections or a stalled body")
    func shutdownNotHeldUp() async throws {
        let upstream = RecordingUpstream { _ in Response(status: .ok) }
        try await upstream.run { base in
            try await withShimProcess(
                arguments: ["--upstream", base, "--shutdown-timeout-seconds", "30"],
                environment: ["SHIM_REQUEST_BODY_TIMEOUT_MS": "500"]
            ) { shim in
                let idle = try await RawConnection(port: shim.ports.proxy)
                try await idle.write("GET /v2/other HTTP/1.1\r\nHost: shim\r\n\r\n")
                #expect(await idle.waitFor("HTTP/1.1 200"))
                let silent = try await RawConnection(port: shim.ports.proxy)
                let stalled = try await RawConnection(port: shim.ports.proxy)
                // A legacy body: it is read before any upstream call, so no upstream timeout ends it.
                try await stalled.write(
                    "POST /v2/promotion/issue?\(ShimOverSandboxTests.mobile) HTTP/1.1\r\nHost: shim\r\nContent-Length: 37\r\n\r\n{\"pro"
                )
                try await Task.sleep(for: .milliseconds(100))
                kill(shim.process.processIdentifier, SIGTERM)
                // Far inside the 30 s shutdown window: nothing the callers hold up keeps the drain waiting.
                let deadline = ContinuousClock.now + .seconds(10)
                while shim.process.isRunning, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(!shim.process.isRunning, "still running 10 s after SIGTERM")
                for connection in [idle, silent, stalled] { await connection.close() }
            }
        }
    }
}
