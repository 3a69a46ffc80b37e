/// Reads a request path the way a normalising origin server (or the servlet container behind the
/// legacy API) would, so that every spelling of one endpoint is recognised as that endpoint.
///
/// Rules, in order (RFC 3986 §6.2.2 plus the servlet habits the vendor's stack has):
/// 1. percent-encoded unreserved characters (`A-Z a-z 0-9 - . _ ~`) are decoded; other escapes stay
///    as sent, so `%2F` never becomes a separator and `%3B` never starts parameters;
/// 2. `;parameters` are removed from every segment (`issue;jsessionid=1` is `issue`);
/// 3. empty segments (`//`, a trailing `/`) and `.` segments are dropped, `..` removes the segment
///    before it (never above the root);
/// 4. letters are lowercased, so matching is case-insensitive.
package enum PathNormalizer {
    /// How a raw request path relates to an endpoint's canonical path.
    package enum Match: Sendable {
        /// Exactly the canonical spelling.
        case canonical
        /// Another spelling of the same endpoint.
        case variant
        /// A different path.
        case other
    }

    /// The normalised form of a raw path (without its query).
    package static func normalize(_ path: some StringProtocol) -> String {
        let decoded = decodingUnreserved(path.utf8)
        var segments: [Substring] = []
        for segment in decoded.split(separator: "/", omittingEmptySubsequences: true) {
            let name = segment.prefix { $0 != ";" }
            switch name {
            case "", ".":
                continue
            case "..":
                _ = segments.popLast()
            default:
                segments.append(name)
            }
        }
        return "/" + segments.joined(separator: "/").lowercased()
    }

    /// Whether `path` names the endpoint whose canonical spelling is `canonical` (lowercase, normalised).
    package static func match(_ path: some StringProtocol, canonical: String) -> Match {
        if path == canonical { return .canonical }
        return normalize(path) == canonical ? .variant : .other
    }

    private static func decodingUnreserved(_ bytes: some Collection<UInt8>) -> String {
        let input = Array(bytes)
        guard input.contains(UInt8(ascii: "%")) else { return String(decoding: input, as: UTF8.self) }
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            if input[index] == UInt8(ascii: "%"), index + 2 < input.count,
                let high = hexValue(input[index + 1]), let low = hexValue(input[index + 2]),
                isUnreserved(high << 4 | low)
            {
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(input[index])
                index += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            true
        default:
            false
        }
    }
}
