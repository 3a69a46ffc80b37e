import ShimServer
import Synchronization
import Testing

/// Metric labels come from bounded sets, whatever the vendor or the callers send (in process).
@Suite("Metric label bounds", .timeLimit(.minutes(2)))
struct MetricLabelTests {
    @Test(
        "The code label of legacy calls is one of the mapped codes, else `other`; unmapped vendor codes are counted, at most 100 by name"
    )
    func codeLabelBounded() async throws {
        let codes = Mutex(70_000)
        let upstream = InMemoryUpstream { _ in
            let code = codes.withLock { code in
                defer { code += 1 }
                return code
            }
            return InMemoryUpstream.json(
                #"{"response":[{"errors":[{"code":\#(code),"message":"invented"}],"warnings":[]}],"totalCount":1,"failureCount":1}"#
            )
        }
        let shim = InProcessShim(upstream: upstream)
        for _ in 0..<110 {
            _ = await shim.issue(query: ShimOverSandboxTests.mobile)
        }
        // A mapped entity code and a local code keep their own label.
        _ = await shim.issue(query: "identifierName=mobile")
        let text = String(decoding: shim.metrics.exposition(), as: UTF8.self)
        let series = text.split(separator: "\n").filter { $0.hasPrefix("promo_shim_legacy_calls_total{") }
        #expect(!series.contains { $0.contains(#"code="70005""#) })
        #expect(text.contains(#"promo_shim_legacy_calls_total{client="till",outcome="error",code="other"} 110"#))
        // Each unmapped vendor code is counted under its own label, up to 100 of them.
        let unmapped = text.split(separator: "\n").filter { $0.hasPrefix("promo_shim_unmapped_codes_total{") }
        #expect(unmapped.contains(#"promo_shim_unmapped_codes_total{code="70005"} 1"#))
        #expect(unmapped.contains(#"promo_shim_unmapped_codes_total{code="other"} 10"#))
        #expect(unmapped.count == 101, "\(unmapped.count) unmapped series")
        #expect(text.contains(#"code="11013""#))
        #expect(series.count == 2, "\(series)")
    }
}
