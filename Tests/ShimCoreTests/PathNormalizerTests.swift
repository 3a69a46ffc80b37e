import ShimCore
import Testing

@Suite("Path normalisation")
struct PathNormalizerTests {
    static let legacy = "/v2/promotion/issue"

    @Test(
        "Spellings a normalising server reads as the legacy endpoint",
        arguments: [
            "/v2/promotion/issue/", "//v2/promotion/issue", "/v2/promotion/%69ssue", "/v2/promotion/%69%73%73%75%65",
            "/v2/promotion/issue;jsessionid=0A1B", "/v2;x=1/promotion;y/issue;z", "/V2/promotion/issue", "/v2/./promotion/issue",
            "/v2/promotion/./issue/.", "/v2/x/../promotion/issue", "/../v2/promotion/issue", "/v2/%2E/promotion/issue",
            "/v2/promotion/ISSUE//", "/%76%32/promotion/issue",
        ]
    )
    func variants(path: String) {
        #expect(PathNormalizer.normalize(path) == Self.legacy)
        #expect(PathNormalizer.match(path, canonical: Self.legacy) == .variant)
    }

    @Test("The canonical spelling matches without normalising")
    func canonical() {
        #expect(PathNormalizer.match(Self.legacy, canonical: Self.legacy) == .canonical)
    }

    @Test(
        "Paths that are not the endpoint stay other: reserved escapes are not decoded",
        arguments: [
            "/v2/promotion/issues", "/v2/promotion/issue/x", "/v2/promotion%2Fissue", "/v2/promotion/issue%3Bx", "/v2/promotion",
            "/v2/promotion/issue/..", "/", "", "/v2/promotion/%6", "/v2/promotion/issue%00", "/v3/promotion/issue",
        ]
    )
    func others(path: String) {
        #expect(PathNormalizer.match(path, canonical: Self.legacy) == .other)
    }

    @Test("Invalid and non-ASCII escapes are kept as sent")
    func keepsOtherEscapes() {
        #expect(PathNormalizer.normalize("/a%zz/b%2f/%C3%A9") == "/a%zz/b%2f/%c3%a9")
    }
}
