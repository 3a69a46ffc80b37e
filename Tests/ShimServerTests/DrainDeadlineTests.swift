import Foundation
import ShimServer
import Testing

/// SIGTERM that outlasts the shutdown timeout: calls already sent still get an answer that tells
/// the truth and a usage record, and the exit status says the drain was cut short.
@Suite("Drain cut short", .timeLimit(.minutes(2)))
struct DrainDeadlineTests {
    @Test("A call still upstream when the drain runs out is answered 'may or may not', recorded, and the exit status is 4")
    func drainCutShort() async throws {
        let usage = UsageLogTests.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: usage) }
        let upstream = RecordingUpstream { _ in
            try await Task.sleep(for: .seconds(8))
            return RecordingUpstream.json(RecordingUpstream.bulkSuccess)
        }
        try await upstream.run { base in
            let child = try ShimChild(arguments: [
                "--upstream", base, "--usage-log", usage, "--shutdown-timeout-seconds", "4",
                "--request-timeout-ms", "60000", "--read-timeout-ms", "60000",
            ])
            let ports = try await child.ports()
            async let answer = issue(ports.proxyURL, query: UpstreamFailureTests.mobile, headers: [tillAuthorization])
            #expect(await eventually { !upstream.requests.isEmpty })
            child.send(SIGTERM)
            let response = try await answer
            #expect(response.status == 502 || response.status == 504)
            #expect([[9911], [9915]].contains(response.errorCodes), "\(response.text)")
            let status = await child.exitStatus(within: .seconds(30))
            #expect(status == 4, "exit status \(status.map(String.init) ?? "none (killed)")")
        }
        let records = try UsageLogTests.records(at: usage)
        #expect(records.count == 1)
        #expect(records.first?["outcome"] as? String == "upstream_failure")
    }
}
