/// Decodes a URL query the way the legacy API's servlet container did: `&`-separated pairs,
/// `+` as space, percent-decoded names and values. Undecodable sequences are kept as sent.
package enum QueryString {
    /// The pairs of a raw query (without the leading `?`), in order, duplicates kept.
    package static func parse(_ raw: some StringProtocol) -> [(name: String, value: String)] {
        parse(Substring(raw))
    }

    /// The pairs of a raw query, scanned once over its UTF-8 bytes: not generic, so a caller in
    /// another module pays no generic dispatch (profiles put the generic split-and-map at 8 % of a
    /// legacy call).
    package static func parse(_ raw: Substring) -> [(name: String, value: String)] {
        var pairs: [(name: String, value: String)] = []
        pairs.reserveCapacity(4)
        let bytes = raw.utf8
        var pairStart = bytes.startIndex
        var equals: Substring.UTF8View.Index?
        var index = bytes.startIndex
        func addPair(upTo end: Substring.UTF8View.Index) {
            guard pairStart < end else { return }
            if let equals {
                let value = raw[bytes.index(after: equals)..<end]
                pairs.append((decode(raw[pairStart..<equals]), decode(value)))
            } else {
                pairs.append((decode(raw[pairStart..<end]), ""))
            }
        }
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "&") {
                addPair(upTo: index)
                pairStart = bytes.index(after: index)
                equals = nil
            } else if byte == UInt8(ascii: "="), equals == nil {
                equals = index
            }
            index = bytes.index(after: index)
        }
        addPair(upTo: bytes.endIndex)
        return pairs
    }

    /// Percent-encodes a query name or value: everything but unreserved characters (RFC 3986).
    package static func encode(_ text: String) -> String {
        var encoded = ""
        encoded.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                encoded.unicodeScalars.append("%")
                encoded.unicodeScalars.append(Unicode.Scalar(Hex.uppercaseDigits[Int(byte >> 4)]))
                encoded.unicodeScalars.append(Unicode.Scalar(Hex.uppercaseDigits[Int(byte & 0x0F)]))
            }
        }
        return encoded
    }

    /// A query string built from pairs, each name and value percent-encoded.
    package static func build(_ pairs: [(name: String, value: String)]) -> String {
        pairs.map { "\(encode($0.name))=\(encode($0.value))" }.joined(separator: "&")
    }

    private static func decode(_ component: Substring) -> String {
        // Most names and values need no decoding: copy them as they are.
        if !component.utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) {
            return String(component)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(component.utf8.count)
        var iterator = Array(component.utf8)[...]
        while let byte = iterator.popFirst() {
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                if iterator.count >= 2, let high = hexValue(iterator[iterator.startIndex]),
                    let low = hexValue(iterator[iterator.startIndex + 1])
                {
                    bytes.append(high << 4 | low)
                    iterator = iterator.dropFirst(2)
                } else {
                    bytes.append(byte)
                }
            default:
                bytes.append(byte)
            }
        }
        // Invalid UTF-8 becomes U+FFFD: the value can still be validated and is never sent as raw bytes.
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
