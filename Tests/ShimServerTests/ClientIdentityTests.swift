import Foundation
import HTTPTypes
import Testing

@testable import ShimServer

@Suite("Client identity")
struct ClientIdentityTests {
    private static func basic(_ credentials: String) -> HTTPFields {
        [.authorization: "Basic " + Data(credentials.utf8).base64EncodedString()]
    }

    @Test("Names a Basic user, an OAuth token's digest, other schemes and no credentials")
    func names() {
        #expect(ClientIdentity.name(from: Self.basic("till:secret")) == "till")
        #expect(ClientIdentity.name(from: [ClientIdentity.oauthToken: "token-1"]).hasPrefix("oauth:"))
        #expect(ClientIdentity.name(from: [.authorization: "Bearer x"]) == "other-auth")
        #expect(ClientIdentity.name(from: [:]) == "anonymous")
    }

    @Test("The per-connection memo names each call as the function does, when the credentials change too")
    func memoFollowsTheCredentials() {
        var memo = ClientIdentity.Memo()
        let calls: [HTTPFields] = [
            Self.basic("till:secret"), Self.basic("till:secret"), Self.basic("kiosk:pw"),
            [ClientIdentity.oauthToken: "token-1"], [ClientIdentity.oauthToken: "token-2"],
            Self.basic("kiosk:pw") + [HTTPField(name: ClientIdentity.oauthToken, value: "token-2")],
            [:], Self.basic("till:secret"),
            // Canonically equivalent, different bytes: two tokens, two names.
            [ClientIdentity.oauthToken: "tok\u{00C5}"], [ClientIdentity.oauthToken: "tokA\u{030A}"],
        ]
        for headers in calls {
            #expect(memo.name(from: headers) == ClientIdentity.name(from: headers))
        }
    }
}
