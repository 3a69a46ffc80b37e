import Foundation
import HTTPTypes
import NIOHTTP1
import ShimCore
import ShimServer
import Testing

/// `deprecation.yaml`: enforcing and dry-run windows, exemptions, the first and last millisecond,
/// the sunset, and a reload while calls are in flight. Time is a ``ManualClock``. The refusals'
/// answers, records and metrics are tested in process; over sockets, one enforced window (the
/// listener's answer, passthrough untouched, the admin metrics) and the reload through `/reload`.
@Suite("Brownouts and sunset", .timeLimit(.minutes(2)))
struct BrownoutTests {
    static let window = """
        brownouts:
          - start: 2027-03-01T10:00:00Z
            end: 2027-03-01T11:00:00Z
            mode: enforce
            exempt: [till]
          - start: 2027-04-01T10:00:00Z
            end: 2027-04-01T10:30:00Z
            mode: dryRun
            clients: [pos]
        afterSunset:
          action: reject
          exempt: [till]

        """

    static func authorization(_ user: String) -> (String, String) {
        ("Authorization", "Basic " + Data("\(user):secret".utf8).base64EncodedString())
    }

    static let pos = authorization("pos")

    /// A copy of the shipped mappings with `deprecation.yaml`.
    static func mappingsDirectory(deprecation: String) throws -> String {
        let directory = try MigrationTests.mappingsDirectory(routing: "default: translate\n")
        try deprecation.write(toFile: directory + "/deprecation.yaml", atomically: true, encoding: .utf8)
        return directory
    }

    /// The table's copy of the mappings, the moved clock and a sunset date, in a configuration.
    static func configure(_ configuration: inout ShimConfiguration, directory: String, clock: ManualClock) {
        configuration.mappings = try! MappingSet(directory: directory)
        configuration.clock = clock.wallClock
        configuration.deprecation = try! DeprecationPolicy(
            deprecationDate: "2026-01-01T00:00:00Z", sunsetDate: "2027-06-30T00:00:00Z",
            successorURL: "https://docs.example.com/bulk", policyURL: nil
        )
    }

    /// A shim with the table, a moved clock, a usage log at `usage` and a sunset date, over an
    /// upstream that issues every bulk call and answers anything else 200.
    static func withBrownoutShim(
        deprecation: String = window, clock: ManualClock,
        upstream: RecordingUpstream = RecordingUpstream { request in
            request.path.hasPrefix("/v2/promotion/bulk")
                ? RecordingUpstream.json(RecordingUpstream.bulkSuccess) : RecordingUpstream.json(#"{"ok":true}"#)
        },
        usage: String = UsageLogTests.temporaryPath(),
        body: (ShimPorts, RecordingUpstream, String) async throws -> Void
    ) async throws {
        let directory = try mappingsDirectory(deprecation: deprecation)
        try await upstream.withShim(
            configure: {
                configure(&$0, directory: directory, clock: clock)
                $0.mappingsDirectory = directory
                $0.watchMappings = false
                $0.usageLog = .file(usage)
            }
        ) { shim in
            try await body(shim, upstream, directory)
        }
    }

    /// The same, in process, over an in-memory upstream that issues every call.
    static func brownoutShim(
        clock: ManualClock,
        upstream: InMemoryUpstream = InMemoryUpstream { _ in InMemoryUpstream.json(RecordingUpstream.bulkSuccess) }
    ) throws -> InProcessShim {
        let directory = try mappingsDirectory(deprecation: window)
        return InProcessShim(upstream: upstream) { configure(&$0, directory: directory, clock: clock) }
    }

    /// The shim's metrics in the exposition format.
    static func metrics(_ shim: InProcessShim) -> String {
        String(decoding: shim.metrics.exposition(), as: UTF8.self)
    }

    static func bulkCalls(_ requests: [RecordedRequest]) -> Int {
        requests.filter { $0.path.hasPrefix("/v2/promotion/bulk") }.count
    }

    @Test("Inside an enforcing window a call is answered 410 (9930) with Retry-After and the deprecation headers, and never sent")
    func enforcedWindow() async throws {
        let clock = ManualClock("2027-03-01T10:15:00Z")
        try await Self.withBrownoutShim(clock: clock) { shim, upstream, _ in
            let refused = try await issue(shim.proxyURL, query: ShimOverSandboxTests.mobile, headers: [Self.pos])
            #expect(refused.status == 410)
            #expect(refused.errorCodes == [9930])
            #expect(refused.headers["Retry-After"] == ["2700"])
            #expect(refused.headers["Deprecation"] == ["@1767225600"])
            #expect(refused.headers["Sunset"] == ["Wed, 30 Jun 2027 00:00:00 GMT"])
            #expect(refused.headers["Link"].first?.contains("successor-version") == true)
            #expect(Self.bulkCalls(upstream.requests) == 0)
            // The exempt client is served; passthrough is never affected.
            let exempt = try await issue(shim.proxyURL, query: ShimOverSandboxTests.mobile, headers: [tillAuthorization])
            #expect(exempt.status == 200)
            let passthrough = try await send(.GET, "\(shim.proxyURL)/v2/customers/get?x=1", headers: [Self.pos])
            #expect(passthrough.status == 200)
            #expect(Self.bulkCalls(upstream.requests) == 1)
            let metrics = try await send(.GET, "\(shim.adminURL)/metrics").text
            #expect(metrics.contains(#"promo_shim_deprecation_refusals_total{client="pos",reason="brownout",mode="enforce"} 1"#))
            #expect(metrics.contains(#"promo_shim_legacy_calls_total{client="pos",outcome="brownout",code="9930"} 1"#))
        }
    }

    @Test("A refused call's usage record says brownout and keeps what the call said, never sent (in process)")
    func refusedRecord() async throws {
        let upstream = InMemoryUpstream { _ in InMemoryUpstream.json(RecordingUpstream.bulkSuccess) }
        let shim = try Self.brownoutShim(clock: ManualClock("2027-03-01T10:15:00Z"), upstream: upstream)
        let valid = await shim.issue(query: ShimOverSandboxTests.mobile, headers: [Self.pos])
        let invalid = await shim.issue(query: "identifierName=mobile&identifierValue=1&source=NOWHERE", headers: [Self.pos])
        #expect(valid.status == 410 && invalid.status == 410)
        #expect(upstream.requests.isEmpty)
        let records = try await shim.usageLog().records
        #expect(records.count == 2)
        #expect(records.allSatisfy { $0["outcome"] as? String == "brownout" && $0["client"] as? String == "pos" })
        #expect(records[0]["ts"] as? String == "2027-03-01T10:15:00.000Z")
        #expect(records[0]["programId"] as? Int == 469 && records[0]["promotionId"] as? Int == 65777)
        #expect(records[0]["source"] as? String == "INSTORE" && (records[0]["customer"] as? String)?.isEmpty == false)
        #expect(records[1]["programId"] as? Int == 469 && records[1]["source"] is NSNull && records[1]["customer"] is NSNull)
        #expect(records.allSatisfy { ($0["codes"] as? [Int]) == [9930] })
    }

    @Test("Window edges: served 1 ms before, refused at the first and last millisecond, served at the end (in process)")
    func windowEdges() async throws {
        let clock = ManualClock("2027-03-01T10:00:00Z")
        let upstream = InMemoryUpstream { _ in InMemoryUpstream.json(RecordingUpstream.bulkSuccess) }
        let shim = try Self.brownoutShim(clock: clock, upstream: upstream)
        var statuses: [Int] = []
        for (time, offset) in [
            ("2027-03-01T10:00:00Z", -1 as Int64), ("2027-03-01T10:00:00Z", 0), ("2027-03-01T11:00:00Z", -1),
            ("2027-03-01T11:00:00Z", 0),
        ] {
            clock.set(time, plus: offset)
            statuses.append(await shim.issue(query: ShimOverSandboxTests.mobile, headers: [Self.pos]).status)
        }
        #expect(statuses == [200, 410, 410, 200])
        #expect(Self.bulkCalls(upstream.requests) == 2)
        // The last millisecond's answer says to come back in one second, when the window is closed.
        clock.set("2027-03-01T11:00:00Z", plus: -1)
        let last = await shim.issue(query: ShimOverSandboxTests.mobile, headers: [Self.pos])
        #expect(last[header: "Retry-After"] == ["1"])
    }

    @Test("A dry-run window serves every call and marks the ones it covers in the record and a metric (in process)")
    func dryRunWindow() async throws {
        let upstream = InMemoryUpstream { _ in InMemoryUpstream.json(RecordingUpstream.bulkSuccess) }
        let shim = try Self.brownoutShim(clock: ManualClock("2027-04-01T10:10:00Z"), upstream: upstream)
        let covered = await shim.issue(query: ShimOverSandboxTests.mobile, headers: [Self.pos])
        let other = await shim.issue(query: ShimOverSandboxTests.mobile, headers: [tillAuthorization])
        #expect(covered.status == 200 && other.status == 200)
        #expect(covered[header: "Retry-After"].isEmpty)
        let metrics = Self.metrics(shim)
        #expect(metrics.contains(#"promo_shim_deprecation_refusals_total{client="pos",reason="brownout",mode="dryRun"} 1"#))
        #expect(!metrics.contains(#"promo_shim_deprecation_refusals_total{client="till""#))
        #expect(upstream.requests.count == 2)
        let records = try await shim.usageLog().records
        #expect(records.map { $0["outcome"] as? String } == ["issued", "issued"])
        #expect(records.map { $0["wouldReject"] as? String } == ["brownout", nil])
    }

    @Test("After the sunset date, reject answers 410 (9931) without Retry-After; exempt clients are served (in process)")
    func afterSunset() async throws {
        let clock = ManualClock("2027-06-29T23:59:59.999Z")
        let upstream = InMemoryUpstream { _ in InMemoryUpstream.json(RecordingUpstream.bulkSuccess) }
        let shim = try Self.brownoutShim(clock: clock, upstream: upstream)
        let before = await shim.issue(query: ShimOverSandboxTests.mobile, headers: [Self.pos])
        clock.set("2027-06-30T00:00:00Z")
        let after = await shim.issue(query: ShimOverSandboxTests.mobile, headers: [Self.pos])
        let exempt = await shim.issue(query: ShimOverSandboxTests.mobile, headers: [tillAuthorization])
        #expect(before.status == 200)
        #expect(after.status == 410 && after.errorCodes == [9931])
        #expect(after[header: "Retry-After"].isEmpty)
        #expect(after[header: "Sunset"] == ["Wed, 30 Jun 2027 00:00:00 GMT"])
        #expect(exempt.status == 200)
        #expect(Self.bulkCalls(upstream.requests) == 2)
        #expect(
            Self.metrics(shim).contains(#"promo_shim_deprecation_refusals_total{client="pos",reason="sunset",mode="enforce"} 1"#)
        )
    }

    @Test("A reload mid-call: the call in flight finishes under the old table, the next call obeys the new one")
    func reloadWhileInFlight() async throws {
        let clock = ManualClock("2027-05-01T12:00:00Z")
        let release = AsyncStream<Void>.makeStream()
        let arrived = AsyncStream<Void>.makeStream()
        let upstream = RecordingUpstream { request in
            if request.path.hasPrefix("/v2/promotion/bulk") {
                arrived.continuation.yield()
                for await _ in release.stream { break }
            }
            return RecordingUpstream.json(RecordingUpstream.bulkSuccess)
        }
        try await Self.withBrownoutShim(deprecation: "brownouts: []\n", clock: clock, upstream: upstream) {
            shim, upstream, directory in
            async let inFlight = issue(shim.proxyURL, query: ShimOverSandboxTests.mobile, headers: [Self.pos])
            for await _ in arrived.stream { break }
            try """
            brownouts:
              - { start: 2027-05-01T11:00:00Z, end: 2027-05-01T13:00:00Z, mode: enforce }

            """.write(toFile: directory + "/deprecation.yaml", atomically: true, encoding: .utf8)
            #expect(try await send(.POST, "\(shim.adminURL)/reload").status == 200)
            let next = try await issue(shim.proxyURL, query: ShimOverSandboxTests.mobile, headers: [Self.pos])
            #expect(next.status == 410)
            release.continuation.yield()
            #expect(try await inFlight.status == 200)
            #expect(Self.bulkCalls(upstream.requests) == 1)
            // A table whose window runs past the sunset date is refused on reload; the last one keeps serving.
            try """
            brownouts:
              - { start: 2027-06-29T00:00:00Z, end: 2027-07-01T00:00:00Z, mode: enforce }

            """.write(toFile: directory + "/deprecation.yaml", atomically: true, encoding: .utf8)
            let refused = try await send(.POST, "\(shim.adminURL)/reload")
            #expect(refused.status == 422)
            #expect(refused.text.contains("deprecation.yaml:2"))
            #expect(refused.text.contains("past the sunset date"))
            #expect(try await issue(shim.proxyURL, query: ShimOverSandboxTests.mobile, headers: [Self.pos]).status == 410)
        }
    }
}
