import HTTPTypes
import Testing

@testable import ShimServer

@Suite("Request ids")
struct RequestIDTests {
    @Test("Generated ids are 32 lowercase hex digits and never repeat")
    func generatedIdsAreDistinctHex() {
        let ids = (0..<50_000).map { _ in RequestID.generate() }
        #expect(Set(ids).count == ids.count)
        #expect(
            ids.allSatisfy { $0.utf8.count == 32 && $0.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) } })
    }

    @Test("A caller's sane X-Request-Id is kept; an unsafe one is replaced")
    func callerIdsAreKeptWhenSane() {
        #expect(RequestID.resolve(from: [RequestID.header: "abc-123"]) == "abc-123")
        let replaced = RequestID.resolve(from: [RequestID.header: "bad\"id"])
        #expect(replaced != "bad\"id" && replaced.utf8.count == 32)
    }
}
