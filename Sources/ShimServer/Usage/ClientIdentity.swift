import Crypto
import Foundation
package import HTTPTypes
import ShimCore

/// Names the caller for the usage log and metrics without ever revealing a credential: the
/// Basic-auth user name, or `oauth:` and a digest of the OAuth token.
package enum ClientIdentity {
    static let oauthToken = HTTPField.Name("X-CAP-API-OAUTH-TOKEN")!

    /// The client name of a request's credentials, or `anonymous`.
    package static func name(from headers: HTTPFields) -> String {
        if let authorization = headers[.authorization], authorization.count > 6,
            authorization.prefix(6).lowercased() == "basic ",
            let decoded = Data(base64Encoded: String(authorization.dropFirst(6).drop(while: { $0 == " " }))),
            let colon = decoded.firstIndex(of: UInt8(ascii: ":"))
        {
            let user = String(decoding: decoded[..<colon], as: UTF8.self)
            return sanitized(user) ?? "anonymous"
        }
        if let token = headers[oauthToken], !token.isEmpty {
            let digest = SHA256.hash(data: Data(token.utf8))
            return "oauth:" + Hex.string(digest.prefix(6))
        }
        if headers[.authorization] != nil {
            return "other-auth"
        }
        return "anonymous"
    }

    /// The client name of the last credentials one connection sent, so a keep-alive caller's name
    /// is worked out once, not on every call (decoding Basic credentials was 4 % of a translated call).
    ///
    /// It holds the credential headers of the connection's last call, in memory only, for as long as
    /// the connection's handler lives.
    package struct Memo: Sendable {
        private var authorization: String?
        private var oauthToken: String?
        private var name: String?

        /// A memo that remembers nothing yet.
        package init() {}

        /// The client name of `headers`' credentials, as ``ClientIdentity/name(from:)`` gives it.
        package mutating func name(from headers: HTTPFields) -> String {
            let authorization = headers[.authorization]
            let oauthToken = headers[ClientIdentity.oauthToken]
            if let name, Self.sameBytes(authorization, self.authorization), Self.sameBytes(oauthToken, self.oauthToken) {
                return name
            }
            let name = ClientIdentity.name(from: headers)
            self.authorization = authorization
            self.oauthToken = oauthToken
            self.name = name
            return name
        }

        /// Byte equality: `String`'s `==` holds for canonically equivalent texts with different bytes,
        /// which the OAuth token's digest tells apart.
        private static func sameBytes(_ left: String?, _ right: String?) -> Bool {
            switch (left, right) {
            case (nil, nil): return true
            case (let left?, let right?): return left.utf8.elementsEqual(right.utf8)
            default: return false
            }
        }
    }

    /// A user name safe to log: printable, at most 64 characters.
    private static func sanitized(_ user: String) -> String? {
        let printable = user.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }
        guard !printable.isEmpty else { return nil }
        return String(String.UnicodeScalarView(printable.prefix(64)))
    }
}
