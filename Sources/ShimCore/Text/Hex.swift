/// Hexadecimal digits, for every place that writes them (request ids, customer hashes, client
/// digests, JSON and percent escapes, the mappings version).
package enum Hex {
    /// `0123456789abcdef` as ASCII bytes.
    package static let lowercaseDigits: [UInt8] = Array("0123456789abcdef".utf8)
    /// `0123456789ABCDEF` as ASCII bytes (percent-encoding, RFC 3986 §2.1).
    package static let uppercaseDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// Two lowercase digits per byte.
    package static func string(_ bytes: some Sequence<UInt8>) -> String {
        let digits = lowercaseDigits
        var text: [UInt8] = []
        text.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The 16 lowercase digits of a 64-bit value, most significant first.
    package static func string(_ value: UInt64) -> String {
        string((0..<8).map { UInt8(truncatingIfNeeded: value >> UInt64(56 - 8 * $0)) })
    }
}
