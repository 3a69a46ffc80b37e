import ShimCore
import ShimReport
import Testing

@Suite("Calls to reconcile and suspected retries")
struct AmbiguousAndRetryTests {
    @Test("Marked calls and old-style timeouts are listed by time; other failures are not")
    func ambiguous() throws {
        let calls = try SectionFixture.summary().ambiguousCalls
        #expect(calls.total == 2 && calls.omitted == 0)
        let listed = calls.sorted
        #expect(listed.map(\.timestamp) == ["2026-11-19T01:00:00.000Z", "2026-11-20T02:50:00.000Z"])
        #expect(listed.map(\.requestId) == ["till-8-0", "pos-9-5"])
        #expect(listed.map(\.client) == ["till", "pos"])
        #expect(listed.map(\.customer) == ["c-till-8-0", "c-pos-9-5"])
        #expect(listed.map(\.codes) == [[9912], [9911]])
        #expect(listed.allSatisfy { $0.programId == 469 && $0.promotionId == 65777 && $0.outcome == "upstream_failure" })
    }

    @Test("Beyond the limit, ambiguous calls are counted, not listed")
    func ambiguousLimit() throws {
        let calls = try SectionFixture.summary(maxAmbiguousCalls: 1).ambiguousCalls
        #expect(calls.calls.count == 1 && calls.omitted == 1 && calls.total == 2)
    }

    @Test("Repeats within the window, after a failure, and request ids twice, per client")
    func retries() throws {
        let retries = try SectionFixture.summary().retries
        #expect(retries.clientsByRepeats.map(\.client) == ["kiosk", "till", "old", "pos"])
        var kiosk = RetrySuspicion.Counts()
        (kiosk.calls, kiosk.repeats, kiosk.repeatsAfterFailure) = (4, 1, 1)
        #expect(retries.perClient["kiosk"] == kiosk)
        var till = RetrySuspicion.Counts()
        (till.calls, till.duplicateRequestIds) = (55, 1)
        #expect(retries.perClient["till"] == till)
        #expect(retries.perClient["pos"]?.calls == 153)
        #expect(retries.perClient["pos"]?.repeats == 0)
        let wider = try SectionFixture.summary(retryWindowMilliseconds: 120_000).retries
        #expect(wider.perClient["kiosk"]?.repeats == 2)
        #expect(wider.perClient["kiosk"]?.repeatsAfterFailure == 1)
    }

    @Test(
        "The window is shown in seconds as given", arguments: [(60_000 as Int64, "60"), (2_500, "2.5"), (10, "0.01"), (0, "0")])
    func windowText(milliseconds: Int64, text: String) {
        #expect(RetrySuspicion(windowMilliseconds: milliseconds).windowText == text)
    }

    @Test("Memory stays bounded by the window, and interleaved replicas' lines still match")
    func bounded() {
        var retries = RetrySuspicion(windowMilliseconds: 60_000)
        // 200,000 calls one second apart, each customer calling twice 10 s apart, the lines of two
        // "replicas" interleaved so the second call is read 5 s of log time before the first.
        for index in 0..<100_000 {
            let time = Int64(index) * 2_000
            for (offset, id) in [(10_000, "b"), (0, "a")] {
                retries.add(
                    UsageRecord(
                        timestampMilliseconds: time + Int64(offset), requestId: "\(index)-\(id)", client: "till",
                        programId: 1, promotionId: 2, customer: "c\(index)", outcome: .issued, latencyMilliseconds: 1
                    ),
                    client: "till"
                )
            }
            if index % 1000 == 0 { #expect(retries.rememberedKeys < 10_000) }
        }
        #expect(retries.perClient["till"]?.repeats == 100_000)
        #expect(retries.perClient["till"]?.calls == 200_000)
    }

    @Test("The live dashboard's memory of recent calls has a hard bound, whatever the call rate")
    func liveBound() {
        // 300,000 distinct calls within one window (a busy replica: 5,000 calls a second for a minute).
        var retries = RetrySuspicion(windowMilliseconds: 60_000, maxRemembered: 20_000)
        for index in 0..<300_000 {
            retries.add(
                UsageRecord(
                    timestampMilliseconds: Int64(index / 5), requestId: "r\(index)", client: "till", programId: 1,
                    promotionId: 2, customer: "c\(index)", outcome: .issued, latencyMilliseconds: 1
                ),
                client: "till"
            )
            if index % 10_000 == 0 { #expect(retries.rememberedKeys <= 20_000) }
        }
        #expect(retries.rememberedKeys <= 20_000)
        #expect(retries.perClient["till"]?.calls == 300_000)
        // A repeat of a call still remembered is counted.
        retries.add(
            UsageRecord(
                timestampMilliseconds: 60_000, requestId: "again", client: "till", programId: 1, promotionId: 2,
                customer: "c0", outcome: .issued, latencyMilliseconds: 1
            ),
            client: "till"
        )
        #expect(retries.perClient["till"]?.repeats == 1)
    }

}
