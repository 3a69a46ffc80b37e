import AsyncHTTPClient
import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1
import ShimCore
import Testing

@testable import ShimServer

/// Answers tell the truth about what the vendor may have: "not issued" only when nothing was sent;
/// vendor faults and rate limits are retryable; pooled connections are reused only when safe.
@Suite("Truthful answers", .timeLimit(.minutes(2)))
struct TruthfulAnswerTests {
    static let mobile = UpstreamFailureTests.mobile
    static let externalId = "identifierName=externalId&identifierValue=EXT-1&source=INSTORE"
    static let bulkSuccessHTTP =
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: \(RecordingUpstream.bulkSuccess.utf8.count)\r\n\r\n"
        + RecordingUpstream.bulkSuccess

    @Test("A connect that times out sent nothing: it is 'not issued', not 'may or may not'")
    func connectTimeoutIsNotSent() {
        #expect(HTTPClientUpstream.classify(ChannelError.connectTimeout(.seconds(1))) == .connectFailed)
        #expect(HTTPClientUpstream.classify(HTTPClientError.connectTimeout) == .connectFailed)
        #expect(LegacyIssueHandler<EventLoopUpstream>.failure(for: .connectFailed) == .upstreamUnreachable)
        #expect(LegacyIssueHandler<EventLoopUpstream>.failure(for: .connectionLost) == .upstreamConnectionLost)
        #expect(LegacyIssueHandler<EventLoopUpstream>.failure(for: .notSentInTime) == .notSentInTime)
        #expect(LegacyIssueHandler<EventLoopUpstream>.failure(for: .cancelled) == .callerGone)
    }

    @Test("Every failure that may have reached the vendor has a code whose message does not say 'not issued'")
    func messagesTellTheTruth() {
        let codes = shippedMappings.codes
        for error in [UpstreamError.timeout, .connectionLost, .responseTooLarge] {
            #expect(error.mayHaveReachedUpstream)
            let template = codes.template(for: LegacyIssueHandler<EventLoopUpstream>.failure(for: error))
            #expect(!template.message.contains("was not issued"), "\(error)")
        }
        for error in [UpstreamError.connectFailed, .notSentInTime, .cancelled] {
            #expect(!error.mayHaveReachedUpstream)
            let template = codes.template(for: LegacyIssueHandler<EventLoopUpstream>.failure(for: error))
            #expect(template.message.contains("not issued"), "\(error)")
        }
    }

    @Test(
        "A customer lookup that fails at the vendor is a retryable failure, never 'customer not found'",
        arguments: [
            (InMemoryUpstream.json("<html>oops</html>"), 502, 9917, nil as String?),
            (InMemoryUpstream.json(#"{"error":"down"}"#, status: .internalServerError), 502, 9917, nil),
            (InMemoryUpstream.busy(status: .tooManyRequests, retryAfter: "7"), 503, 9921, "7"),
            (InMemoryUpstream.busy(status: .serviceUnavailable, retryAfter: "30"), 503, 9921, "30"),
        ]
    )
    func lookupFaults(answer: BufferedUpstreamResponse, status: Int, code: Int, retryAfter: String?) async throws {
        let upstream = InMemoryUpstream { request in
            request.method == .get ? answer : InMemoryUpstream.json(RecordingUpstream.bulkSuccess)
        }
        let response = await InProcessShim(upstream: upstream).issue(query: Self.externalId)
        #expect(response.status == status)
        #expect(response.errorCodes == [code])
        #expect(response.headers[.retryAfter] == retryAfter ?? (status == 503 ? "1" : nil))
        // Nothing was issued: the bulk call never went.
        #expect(upstream.requests.filter { $0.method == .post }.isEmpty)
    }

    @Test("The vendor's 429 on the bulk call becomes a legacy 503 carrying its Retry-After")
    func bulkRateLimited() async throws {
        let upstream = InMemoryUpstream { _ in InMemoryUpstream.busy(status: .tooManyRequests, retryAfter: "12") }
        let response = await InProcessShim(upstream: upstream).issue(query: Self.mobile)
        #expect(response.status == 503)
        #expect(response.errorCodes == [9921])
        #expect(response.headers[.retryAfter] == "12")
    }

    @Test("After a 101 Switching Protocols the connection is not reused: the next call opens a new one")
    func noReuseAfterSwitchingProtocols() async throws {
        let upstream = ScriptedTCPUpstream(
            .answerKeepingOpen("HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: upgrade\r\n\r\n")
        )
        try await upstream.withShim { shim in
            let first = try await issue(shim.proxyURL, query: Self.mobile)
            #expect(first.status == 502)
            _ = try await issue(shim.proxyURL, query: Self.mobile)
        }
        #expect(upstream.requests == 2)
        #expect(upstream.mostRequestsOnOneConnection == 1)
    }

    @Test("An upstream that closes right after each answer (without Connection: close) fails no call")
    func upstreamClosingAfterEachAnswer() async throws {
        let upstream = ScriptedTCPUpstream(.answer(Self.bulkSuccessHTTP))
        try await upstream.withShim { shim in
            // Eight callers at once, so a connection that comes free is wanted at once.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        for _ in 0..<10 {
                            let response = try await issue(shim.proxyURL, query: Self.mobile)
                            #expect(response.status == 200, "\(response.text)")
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        #expect(upstream.requests == 80)
    }

    @Test("Idle pooled upstream connections are closed by the shim after the idle timeout")
    func idleConnectionsClose() async throws {
        let upstream = ScriptedTCPUpstream(.answerKeepingOpen(Self.bulkSuccessHTTP))
        try await upstream.withShim(configure: { $0.timeouts.idle = .milliseconds(200) }) { shim in
            let response = try await issue(shim.proxyURL, query: Self.mobile)
            #expect(response.status == 200)
            let deadline = ContinuousClock.now + .seconds(10)
            while upstream.connectionsOpen > 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(upstream.connectionsOpen == 0)
        }
    }

    @Test("On the rollback route the shim asks the old endpoint for an answer it can read, so the record has the real outcome")
    func rollbackAnswerReadable() async throws {
        let directory = try MigrationTests.mappingsDirectory(routing: "default: legacy\n")
        let usage = UsageLogTests.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: usage) }
        let legacyAnswer =
            #"{"warnings":[],"errors":[],"sideEffects":[{"programId":469,"issualId":1,"earnedId":2,"promotionId":65777,"type":"Points promotion"}]}"#
        let upstream = RecordingUpstream { request in
            // Like a vendor behind a compressing gateway: gzip whenever the request allows it.
            let acceptsGzip = request.headers[.acceptEncoding].map { $0.contains("gzip") || $0.contains("*") } ?? false
            guard acceptsGzip else { return RecordingUpstream.json(legacyAnswer) }
            return Response(
                status: .ok, headers: [.contentType: "application/json", .contentEncoding: "gzip"],
                body: .init(byteBuffer: ByteBuffer(bytes: [0x1f, 0x8b, 0x08, 0x00]))
            )
        }
        try await upstream.withShim(
            configure: {
                $0.mappings = try! MappingSet(directory: directory)
                $0.usageLog = .file(usage)
            }
        ) { shim in
            let response = try await issue(
                shim.proxyURL, query: Self.mobile, headers: [tillAuthorization, ("Accept-Encoding", "gzip, deflate")]
            )
            #expect(response.status == 200)
        }
        let record = try #require(try UsageLogTests.records(at: usage).first)
        #expect(record["outcome"] as? String == "issued")
    }
}
