import Crypto
import Foundation
import ShimCore
import Testing

@testable import ShimServer

/// The customer hash with its key schedule done once is exactly HMAC-SHA256.
@Suite("Customer hash")
struct CustomerHasherTests {
    static func issue(name: String, value: String) -> ValidatedIssue {
        ValidatedIssue(
            identifierName: name, identifierMapping: .bulk(name), identifierValue: value, source: "INSTORE", accountId: nil,
            programId: 469, promotionId: 65777
        )
    }

    @Test(
        "Equals the first 16 hex digits of HMAC-SHA256 over name:value, for short, block-sized and long keys",
        arguments: ["k", "Jefe", String(repeating: "x", count: 64), String(repeating: "long key ", count: 20)]
    )
    func matchesHMAC(secret: String) {
        let hasher = CustomerHasher(secret: secret)
        for (name, value) in [("mobile", "918888888888"), ("externalId", "EXT-1001"), ("email", "a@b.example ü")] {
            let expected = HMAC<SHA256>.authenticationCode(
                for: Data((name.lowercased() + ":" + value).utf8), using: SymmetricKey(data: Data(secret.utf8))
            )
            let hex = expected.prefix(8).map { String(format: "%02x", $0) }.joined()
            #expect(hasher.hash(Self.issue(name: name, value: value)) == hex)
        }
    }

    @Test("Different keys give different hashes; the same key the same")
    func keyed() {
        let issue = Self.issue(name: "mobile", value: "918888888888")
        #expect(CustomerHasher(secret: "a").hash(issue) == CustomerHasher(secret: "a").hash(issue))
        #expect(CustomerHasher(secret: "a").hash(issue) != CustomerHasher(secret: "b").hash(issue))
        #expect(CustomerHasher(secret: nil).hash(issue) != CustomerHasher(secret: nil).hash(issue))
    }
}
