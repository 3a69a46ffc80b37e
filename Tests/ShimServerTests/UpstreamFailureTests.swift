import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1
import NIOPosix
import ShimServer
import Synchronization
import Testing

/// Upstream faults become legacy-shaped 502/504 answers, and the shim keeps serving.
@Suite("Upstream failures", .timeLimit(.minutes(2)))
struct UpstreamFailureTests {
    static let mobile = "identifierName=mobile&identifierValue=918888888888&source=INSTORE"

    @Test(
        "Unusable upstream answers become documented legacy errors",
        arguments: [
            (RecordingUpstream.json("<html>oops</html>"), 502, 9913),
            (RecordingUpstream.json(#"{"unexpected": true}"#), 502, 9913),
            (RecordingUpstream.json(#"{"response": "nope"}"#), 502, 9913),
            (RecordingUpstream.json(#"{"error":"down"}"#, status: .internalServerError), 502, 9912),
            (RecordingUpstream.json(#"{"error":"down"}"#, status: .badGateway), 502, 9912),
            (RecordingUpstream.json(#"{"response":[],"totalCount":0,"failureCount":0}"#), 502, 9914),
            (
                RecordingUpstream.json(
                    #"{"response":[{"errors":[],"warnings":[]},{"errors":[],"warnings":[]}],"totalCount":2,"failureCount":0}"#
                ), 502, 9914
            ),
        ]
    )
    func unusableAnswers(answer: Response, status: Int, code: Int) async throws {
        let upstream = RecordingUpstream { request in
            request.method == .post ? answer : RecordingUpstream.json(RecordingUpstream.bulkSuccess)
        }
        try await upstream.withShim { shim in
            let response = try await issue(shim.proxyURL, query: Self.mobile)
            #expect(response.status == status)
            #expect(response.errorCodes == [code])
            #expect(response.json["sideEffects"] == nil)
        }
        #expect(upstream.requests.count == 1)
    }

    @Test("An upstream that refuses connections answers 502 quickly, and the shim keeps serving")
    func connectionRefused() async throws {
        try await withRefusingPort { port in
            // Timeouts far above the bound below: a refused connect is answered at once, not timed out.
            let patient: (inout ShimConfiguration) -> Void = {
                $0.timeouts.connect = .seconds(30)
                $0.timeouts.request = .seconds(60)
            }
            try await withShim(upstream: "http://127.0.0.1:\(port)", configure: patient) { shim in
                let started = ContinuousClock.now
                let response = try await issue(shim.proxyURL, query: Self.mobile)
                #expect(response.status == 502)
                #expect(response.errorCodes == [9910])
                #expect(ContinuousClock.now - started < .seconds(10))
                let passthrough = try await send(.GET, "\(shim.proxyURL)/v2/anything")
                #expect(passthrough.status == 502)
                #expect(passthrough.errorCodes == [9910])
                let health = try await send(.GET, "\(shim.adminURL)/health")
                #expect(health.status == 200)
            }
        }
    }

    @Test("An upstream slower than the request timeout answers 504")
    func timeout() async throws {
        let upstream = RecordingUpstream { _ in
            try await Task.sleep(for: .seconds(10))
            return RecordingUpstream.json(RecordingUpstream.bulkSuccess)
        }
        try await upstream.run { base in
            // The deadline counts from the call's arrival: leave room to connect and send on a busy
            // machine (1 s was once not enough beside a full suite and a build: 9916, not sent in time).
            try await withShim(upstream: base, configure: { $0.timeouts.request = .milliseconds(3000) }) { shim in
                let started = ContinuousClock.now
                let response = try await issue(shim.proxyURL, query: Self.mobile)
                #expect(response.status == 504)
                #expect(response.errorCodes == [9911])
                #expect(ContinuousClock.now - started < .seconds(7))
            }
        }
    }

    @Test("After a fault the next call succeeds")
    func recovers() async throws {
        let calls = Counter()
        let upstream = RecordingUpstream { _ in
            calls.next() == 0
                ? RecordingUpstream.json("garbage")
                : RecordingUpstream.json(RecordingUpstream.bulkSuccess)
        }
        try await upstream.withShim { shim in
            let first = try await issue(shim.proxyURL, query: Self.mobile)
            #expect(first.status == 502)
            let second = try await issue(shim.proxyURL, query: Self.mobile)
            #expect(second.status == 200)
        }
    }
}

/// A thread-safe call counter.
final class Counter: Sendable {
    private let value = Mutex(0)

    /// Returns the current count and increments it.
    func next() -> Int {
        value.withLock { count in
            defer { count += 1 }
            return count
        }
    }
}
