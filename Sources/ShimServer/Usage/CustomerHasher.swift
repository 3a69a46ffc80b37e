import Crypto
import Foundation
public import ShimCore

/// Turns identifierName + identifierValue into a keyed hash, so operations can count distinct
/// customers without the usage log ever holding a phone number or email.
///
/// The key must be the same on every replica for counts to merge; without a configured key each
/// process draws a random one (counts then merge within one process only).
public struct CustomerHasher: Sendable {
    private let key: SymmetricKey
    private static let digits = Array("0123456789abcdef".unicodeScalars)

    /// - Parameter secret: The hashing key; `nil` draws a random one.
    public init(secret: String?) {
        if let secret, !secret.isEmpty {
            self.key = SymmetricKey(data: Data(secret.utf8))
        } else {
            self.key = SymmetricKey(size: .bits256)
        }
    }

    /// 16 hex digits of HMAC-SHA256 over `identifierName:identifierValue` (the name lower-cased).
    public func hash(_ issue: ValidatedIssue) -> String {
        let message = Data((issue.identifierName.lowercased() + ":" + issue.identifierValue).utf8)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: key)
        var hex = ""
        hex.reserveCapacity(16)
        for byte in mac.prefix(8) {
            hex.unicodeScalars.append(Self.digits[Int(byte >> 4)])
            hex.unicodeScalars.append(Self.digits[Int(byte & 0x0F)])
        }
        return hex
    }
}
