import ShimCore
import Testing

@Suite("Usage record")
struct UsageRecordTests {
    private func line(_ record: UsageRecord) -> String {
        var writer = JSONWriter()
        record.jsonLine(into: &writer)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    @Test("Only the failures after which the vendor may have the call are marked for reconciliation")
    func mayHaveBeenIssuedFollowsTheAnswer() {
        let codes = Fixtures.mappings.codes
        let ambiguous: Set<LegacyFailure> = [
            .upstreamTimeout, .upstreamServerError, .upstreamInvalidResponse, .upstreamEntityCountMismatch,
            .upstreamConnectionLost, .upstreamBusy,
        ]
        for failure in LegacyFailure.allCases {
            let answer = LegacyAnswer(failure: failure, codes: codes)
            #expect(answer.mayHaveBeenIssued == ambiguous.contains(failure), "\(failure)")
            // The answer's own words agree: "may or may not" exactly when the call is marked.
            #expect(
                answer.body.errors[0].message.contains("may or may not")
                    == (ambiguous.contains(failure) && failure != .upstreamBusy),
                "\(failure)"
            )
        }
    }

    @Test("Brownout and sunset refusals have their own codes, status 410 and outcomes")
    func deprecationRefusals() {
        let codes = Fixtures.mappings.codes
        let brownout = LegacyAnswer(failure: .brownout, codes: codes)
        let sunset = LegacyAnswer(failure: .sunset, codes: codes)
        #expect((brownout.status, brownout.codes, brownout.outcome) == (410, [9930], .brownout))
        #expect((sunset.status, sunset.codes, sunset.outcome) == (410, [9931], .sunset))
    }

    @Test("The reconciliation mark and a dry-run refusal are written only when set")
    func optionalFieldsAreWrittenWhenSet() {
        var record = UsageRecord(
            timestampMilliseconds: 0, requestId: "r", client: "pos", outcome: .issued, latencyMilliseconds: 1)
        #expect(!line(record).contains("mayHaveBeenIssued") && !line(record).contains("wouldReject"))
        record.mayHaveBeenIssued = true
        record.wouldReject = .brownout
        #expect(line(record).hasSuffix(#","mayHaveBeenIssued":true,"wouldReject":"brownout"}"# + "\n"))
    }
}
