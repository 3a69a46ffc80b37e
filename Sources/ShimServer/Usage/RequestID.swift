import HTTPTypes

/// The request id of a legacy call: the caller's `X-Request-Id` or `X-CAP-REQUEST-ID` when it is a
/// sane token, otherwise a fresh random one. Echoed in the response and written to the usage log.
public enum RequestID {
    public static let header = HTTPField.Name("X-Request-Id")!
    static let capHeader = HTTPField.Name("X-CAP-REQUEST-ID")!

    public static func resolve(from headers: HTTPFields) -> String {
        for name in [header, capHeader] {
            if let value = headers[name], isAcceptable(value) { return value }
        }
        return generate()
    }

    /// 1–128 visible ASCII characters without quotes or backslashes.
    static func isAcceptable(_ value: String) -> Bool {
        (1...128).contains(value.utf8.count)
            && value.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
    }

    /// 32 random hex digits.
    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return hex16(generator.next()) + hex16(generator.next())
    }

    private static func hex16(_ value: UInt64) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}
