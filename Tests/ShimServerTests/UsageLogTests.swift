import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ShimCore
import Testing

@testable import ShimServer

/// The usage log: one record per legacy call, never a credential or identifier value.
@Suite("Usage log", .timeLimit(.minutes(2)))
struct UsageLogTests {
    /// A fresh file path under the temporary directory.
    static func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("usage-\(UUID().uuidString).log").path
    }

    /// The records of the usage log at `path`.
    static func records(at path: String) throws -> [[String: Any]] {
        try records(in: String(contentsOfFile: path, encoding: .utf8))
    }

    /// The records of a usage log's text, one JSON object a line.
    static func records(in text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }

    @Test("N concurrent legacy calls leave exactly N records, all written by the time the shim stops")
    func concurrentCallsEachLeaveOneRecord() async throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let calls = 300
        try await withShimOverSandbox(configure: { $0.usageLog = .file(path) }) { shim in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<calls {
                    group.addTask {
                        // Alternate outcomes: issued, warning, rejected, vendor error.
                        let body = [
                            #"{"programId":469,"promotionId":65777}"#, #"{"programId":469,"promotionId":65779}"#,
                            #"{"programId":"x","promotionId":65777}"#, #"{"programId":469,"promotionId":65778}"#,
                        ][index % 4]
                        return try await issue(
                            shim.proxyURL,
                            query: ShimOverSandboxTests.mobile,
                            body: body,
                            headers: [tillAuthorization, ("X-Request-Id", "call-\(index)")],
                            // About records, not speed: a loaded machine may take long.
                            timeout: .seconds(90)
                        ).status
                    }
                }
                var answered = 0
                for try await _ in group { answered += 1 }
                #expect(answered == calls)
            }
        }
        let records = try Self.records(at: path)
        #expect(records.count == calls)
        #expect(Set(records.compactMap { $0["requestId"] as? String }) == Set((0..<calls).map { "call-\($0)" }))
        let outcomes = Dictionary(grouping: records, by: { $0["outcome"] as? String ?? "" }).mapValues(\.count)
        #expect(outcomes == ["issued": 75, "warning": 75, "rejected": 75, "error": 75])
        // The caller's address is the listener's to read, from the socket.
        #expect(records.allSatisfy { $0["remoteAddr"] as? String == "127.0.0.1" })
    }

    @Test("A record names the client, program, source and a customer hash, and leaks nothing (in process)")
    func recordContents() async throws {
        let shim = InProcessShim(upstream: .sandbox())
        _ = await shim.issue(query: ShimOverSandboxTests.mobile)
        _ = await shim.issue(
            query: "identifierName=email&identifierValue=priya%40example.com&source=INSTORE",
            headers: [("X-CAP-API-OAUTH-TOKEN", "demo-token"), ("User-Agent", "till/7")]
        )
        _ = await shim.issue(query: ShimOverSandboxTests.mobile, body: #"{"programId":469,"promotionId":65778}"#)
        let (text, records) = try await shim.usageLog()
        for secret in ["918888888888", "priya@example.com", "priya%40example.com", "secret", "demo-token", "dGlsbDpzZWNyZXQ="] {
            #expect(!text.contains(secret), "the usage log contains \(secret)")
        }
        try #require(records.count == 3)
        let issued = records[0]
        #expect(issued["client"] as? String == "till")
        #expect(issued["programId"] as? Int == 469)
        #expect(issued["promotionId"] as? Int == 65777)
        #expect(issued["source"] as? String == "INSTORE")
        #expect(issued["identifierName"] as? String == "mobile")
        #expect(issued["outcome"] as? String == "issued")
        #expect(issued["upstreamStatus"] as? Int == 200)
        #expect(issued["remoteAddr"] as? String == "127.0.0.1")
        #expect((issued["customer"] as? String)?.count == 16)
        #expect(issued["latencyMs"] is Double || issued["latencyMs"] is Int)
        #expect(issued["upstreamLatencyMs"] is Double || issued["upstreamLatencyMs"] is Int)
        let ts = try #require(issued["ts"] as? String)
        #expect(ts.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/) != nil)
        let oauth = records[1]
        #expect((oauth["client"] as? String)?.hasPrefix("oauth:") == true)
        #expect(oauth["userAgent"] as? String == "till/7")
        #expect(oauth["outcome"] as? String == "issued")
        #expect(oauth["customer"] as? String != issued["customer"] as? String)
        let vendorError = records[2]
        #expect(vendorError["outcome"] as? String == "error")
        #expect(vendorError["codes"] as? [Int] == [8892])
        // The same customer hashes the same way in every call.
        #expect(vendorError["customer"] as? String == issued["customer"] as? String)
    }

    @Test(
        "A call refused locally keeps in its record what could be read (program, promotion, known source and identifier name), and only that (in process)"
    )
    func refusedCallKeepsReadableFields() async throws {
        let upstream = InMemoryUpstream.sandbox()
        let shim = InProcessShim(upstream: upstream)
        // Refused for its type: everything else is readable.
        _ = await shim.issue(query: ShimOverSandboxTests.mobile + "&type=ORGANIZATION")
        // Refused for its source: the source is not recorded (it is not one the tables know).
        _ = await shim.issue(query: "identifierName=mobile&identifierValue=918888888888&source=NOWHERE")
        // Refused for its body: nothing of the body is recorded.
        _ = await shim.issue(query: ShimOverSandboxTests.mobile, body: #"{"programId":"x"}"#)
        #expect(upstream.requests.isEmpty)
        let (text, records) = try await shim.usageLog()
        #expect(!text.contains("918888888888"))
        #expect(!text.contains("NOWHERE"))
        try #require(records.count == 3)
        #expect(records.allSatisfy { $0["outcome"] as? String == "rejected" })
        #expect(records[0]["programId"] as? Int == 469)
        #expect(records[0]["promotionId"] as? Int == 65777)
        #expect(records[0]["source"] as? String == "INSTORE")
        #expect(records[0]["identifierName"] as? String == "mobile")
        #expect(records[1]["programId"] as? Int == 469)
        #expect(records[1]["source"] as? String == nil)
        #expect(records[1]["identifierName"] as? String == "mobile")
        #expect(records[2]["programId"] as? Int == nil)
        #expect(records[2]["promotionId"] as? Int == nil)
        #expect(records[2]["source"] as? String == "INSTORE")
        #expect(records.allSatisfy { $0["customer"] as? String == nil })
    }

    @Test("After the file is moved away, a reopen starts a new file and loses no record")
    func reopen() async throws {
        let path = Self.temporaryPath()
        let rotated = path + ".1"
        defer {
            try? FileManager.default.removeItem(atPath: path)
            try? FileManager.default.removeItem(atPath: rotated)
        }
        let log = try UsageLog(destination: .file(path), logger: .init(label: "test"))
        log.append(.init(timestampMilliseconds: 0, requestId: "before", client: "c", outcome: .issued, latencyMilliseconds: 1))
        await log.writePending()
        try FileManager.default.moveItem(atPath: path, toPath: rotated)
        log.append(.init(timestampMilliseconds: 0, requestId: "moved", client: "c", outcome: .issued, latencyMilliseconds: 1))
        await log.writePending()
        log.requestReopen()
        log.append(.init(timestampMilliseconds: 0, requestId: "after", client: "c", outcome: .issued, latencyMilliseconds: 1))
        await log.writePending()
        #expect(try Self.records(at: rotated).compactMap { $0["requestId"] as? String } == ["before", "moved"])
        #expect(try Self.records(at: path).compactMap { $0["requestId"] as? String } == ["after"])
    }

    @Test("An unwritable usage log path stops start-up")
    func unwritablePath() {
        #expect(throws: ConfigurationError.self) {
            try UsageLog(destination: .file("/nonexistent-dir/usage.log"), logger: .init(label: "test"))
        }
    }
}
