import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1
import ShimCore
import Synchronization
import Testing

@testable import ShimServer

/// One deadline per call from its arrival; a call whose caller is gone is never sent; passthrough
/// cannot take the translation path's capacity.
@Suite("Call deadlines and vanished callers", .timeLimit(.minutes(2)))
struct CallDeadlineTests {
    static let mobile = UpstreamFailureTests.mobile

    static func legacyRequest(customer: String = "918888888888") -> String {
        let body = #"{"programId":469,"promotionId":65777}"#
        return "POST /v2/promotion/issue?identifierName=mobile&identifierValue=\(customer)&source=INSTORE HTTP/1.1\r\n"
            + "Host: shim\r\nAuthorization: \(tillAuthorization.1)\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.utf8.count)\r\n\r\n" + body
    }

    @Test("Queued calls are answered at their own deadline, counted from arrival, not one timeout after another")
    func queuedCallsAnsweredAtTheirDeadline() async throws {
        let upstream = RecordingUpstream { _ in
            try await Task.sleep(for: .seconds(10))
            return RecordingUpstream.json(RecordingUpstream.bulkSuccess)
        }
        try await upstream.withShim(
            configure: {
                $0.maxConcurrentUpstreamCalls = 1
                $0.timeouts.request = .seconds(1)
            }
        ) { shim in
            let started = ContinuousClock.now
            let answers = try await withThrowingTaskGroup(of: (TestResponse, Duration).self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        let response = try await issue(shim.proxyURL, query: Self.mobile)
                        return (response, ContinuousClock.now - started)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            // The old failure: answers after 1, 2, 3, ... 8 s, each sent when its turn came. Now all
            // come at about the same time (the spread, not the absolute time, so a slow machine
            // cannot fail it).
            let times = answers.map(\.1)
            #expect(times.max()! - times.min()! < .seconds(4), "answered after \(times.sorted())")
            for (response, _) in answers {
                #expect([504].contains(response.status))
                #expect([[9911], [9916]].contains(response.errorCodes))
            }
            // At most the calls that got a slot before their deadline were sent, never all five in turn.
            #expect(answers.contains { $0.0.errorCodes == [9916] })
        }
    }

    @Test("A call whose caller hung up while it was queued is never sent, and its record says so")
    func goneWhileQueued() async throws {
        let path = UsageLogTests.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let upstream = RecordingUpstream { request in
            if String(decoding: request.body, as: UTF8.self).contains("911111111111") {
                try await Task.sleep(for: .milliseconds(1500))
            }
            return RecordingUpstream.json(RecordingUpstream.bulkSuccess)
        }
        try await upstream.withShim(
            configure: {
                $0.maxConcurrentUpstreamCalls = 1
                $0.usageLog = .file(path)
            }
        ) { shim in
            async let slow = issue(shim.proxyURL, query: "identifierName=mobile&identifierValue=911111111111&source=INSTORE")
            // The slow call holds the only slot; wait until the vendor has it.
            let deadline = ContinuousClock.now + .seconds(10)
            while upstream.requests.isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            try await rawSendAndHangUp(port: shim.proxy, Self.legacyRequest(customer: "912222222222"))
            #expect(try await slow.status == 200)
            // Calls are served in arrival order: had the vanished call been kept, it would go before this one.
            let after = try await issue(
                shim.proxyURL, query: "identifierName=mobile&identifierValue=913333333333&source=INSTORE")
            #expect(after.status == 200)
        }
        let sentCustomers = upstream.requests.compactMap { String(decoding: $0.body, as: UTF8.self).firstMatch(of: /91\d{10}/) }
            .map { String($0.output) }
        #expect(sentCustomers == ["911111111111", "913333333333"])
        let outcomes = try UsageLogTests.records(at: path).map { $0["outcome"] as? String }
        #expect(outcomes.sorted { ($0 ?? "") < ($1 ?? "") } == ["abandoned", "issued", "issued"])
    }

    @Test("A passthrough request whose caller hung up while it waited for a slot is never sent")
    func passthroughGoneWhileQueued() async throws {
        let upstream = RecordingUpstream { request in
            if request.path == "/v2/slow" { try await Task.sleep(for: .milliseconds(1500)) }
            return RecordingUpstream.json(#"{"entity":1,"warnings":[]}"#)
        }
        try await upstream.run { base in
            try await withShim(upstream: base, configure: { $0.maxConcurrentPassthroughCalls = 1 }) { shim in
                async let slow = send(.GET, shim.proxyURL + "/v2/slow")
                // The slow request holds the only passthrough slot; wait until the vendor has it.
                let deadline = ContinuousClock.now + .seconds(10)
                while upstream.requests.isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
                try await rawSendAndHangUp(port: shim.proxy, "GET /v2/gone HTTP/1.1\r\nHost: shim\r\n\r\n")
                #expect(try await slow.status == 200)
                // Requests are served in arrival order: had the vanished one been kept, it would go before this one.
                #expect(try await send(.GET, shim.proxyURL + "/v2/after").status == 200)
            }
        }
        #expect(upstream.requests.map(\.path) == ["/v2/slow", "/v2/after"])
    }

    @Test("A call whose caller hung up inside a coalescing window leaves the batch unsent")
    func goneInsideCoalescingWindow() async throws {
        let upstream = RecordingUpstream { request in
            let customers = (request.jsonBody?["customers"] as? [Any])?.count ?? 0
            let entity = #"{"result":{"issualId":"1","earnedId":"2"},"errors":[],"warnings":[]}"#
            let entities = Array(repeating: entity, count: customers).joined(separator: ",")
            return RecordingUpstream.json(#"{"response":[\#(entities)],"totalCount":\#(customers),"failureCount":0}"#)
        }
        try await upstream.withShim(
            configure: {
                $0.coalesceWindow = .milliseconds(1500)
                $0.timeouts.request = .seconds(10)
            }
        ) { shim in
            try await rawSendAndHangUp(port: shim.proxy, Self.legacyRequest(customer: "912222222222"))
            let stayed = try await issue(
                shim.proxyURL, query: "identifierName=mobile&identifierValue=913333333333&source=INSTORE")
            #expect(stayed.status == 200)
        }
        let batches = upstream.requests.filter { $0.method == .post }
        #expect(batches.count == 1)
        #expect((batches.first?.jsonBody?["customers"] as? [Any])?.count == 1)
    }

    @Test("Slow passthrough uploads cannot take the slots legacy calls need")
    func slowUploadsDoNotStarveLegacyCalls() async throws {
        let upstream = RecordingUpstream { _ in RecordingUpstream.json(RecordingUpstream.bulkSuccess) }
        try await upstream.withShim(
            configure: {
                $0.maxConcurrentUpstreamCalls = 2
                $0.maxQueuedUpstreamCalls = 0
            }
        ) { shim in
            // Two uploads that declare 1000 bytes, send 10 and stall.
            let stalled = (0..<2).map { _ in
                Task {
                    try? await rawExchange(
                        port: shim.proxy,
                        "POST /v2/upload HTTP/1.1\r\nHost: shim\r\nContent-Length: 1000\r\n\r\n0123456789"
                    )
                }
            }
            defer { for task in stalled { task.cancel() } }
            try await Task.sleep(for: .milliseconds(300))
            let response = try await issue(shim.proxyURL, query: Self.mobile)
            #expect(response.status == 200, "\(response.text)")
        }
    }
}

/// The production shape: an https vendor, where passthrough and translation go through
/// AsyncHTTPClient.
@Suite("Passthrough streams and translated calls over https", .timeLimit(.minutes(2)))
struct HTTPSPassthroughIsolationTests {
    @Test("Passthrough answers still streaming to their callers never make a translated call wait or lie")
    func streamsDoNotHoldTheTranslationPath() async throws {
        let upstream = TLSUpstream()
        try await upstream.withShim(
            configure: {
                $0.verifyUpstreamCertificates = false
                $0.maxConcurrentUpstreamCalls = 2
                $0.maxConcurrentPassthroughCalls = 2
            }
        ) { shim in
            // Two downloads that never end hold every passthrough connection.
            var downloads: [RawConnection] = []
            for _ in 0..<2 {
                let download = try await RawConnection(port: shim.proxy)
                try await download.write("GET /drip HTTP/1.1\r\nHost: shim\r\n\r\n")
                #expect(await download.waitFor("HTTP/1.1 200", within: .seconds(30)), "\(download.text.prefix(200))")
                downloads.append(download)
            }
            for _ in 0..<3 {
                let response = try await issue(shim.proxyURL, query: UpstreamFailureTests.mobile)
                #expect(response.status == 200, "\(response.text)")
            }
            for download in downloads { await download.close() }
        }
    }

    @Test(
        "A call already sent runs to its answer when its caller hangs up, and its record says what the vendor did",
        arguments: [false, true]
    )
    func sentCallFinishesAfterCallerLeaves(https: Bool) async throws {
        let usage = UsageLogTests.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: usage) }
        let tls = TLSUpstream(postDelay: .milliseconds(1500))
        let plain = RecordingUpstream { _ in
            try await Task.sleep(for: .milliseconds(1500))
            return RecordingUpstream.json(RecordingUpstream.bulkSuccess)
        }
        let received: @Sendable () -> Bool = { https ? tls.postsReceived > 0 : !plain.requests.isEmpty }
        let exercise: @Sendable (String) async throws -> Void = { base in
            try await withShim(
                upstream: base,
                configure: {
                    $0.verifyUpstreamCertificates = false
                    $0.usageLog = .file(usage)
                }
            ) { shim in
                let caller = try await RawConnection(port: shim.proxy)
                try await caller.write(CallDeadlineTests.legacyRequest())
                #expect(await eventually { received() }, "the call never reached the vendor")
                await caller.close()
                #expect(await eventually { ((try? UsageLogTests.records(at: usage)) ?? []).count == 1 })
            }
        }
        if https { try await tls.run(exercise) } else { try await plain.run(exercise) }
        let record = try #require(try UsageLogTests.records(at: usage).first)
        #expect(record["outcome"] as? String == "issued", "\(record)")
    }
}
