import ShimCore

/// The fields of one usage-log line that the report needs.
public struct UsageLine: Sendable, Equatable {
    /// RFC 3339 timestamp as written (UTC, so it sorts as text).
    public var timestamp: String
    public var client: String
    public var programId: Int64?
    public var source: String?
    public var customer: String?
    public var outcome: String

    public init(timestamp: String, client: String, programId: Int64?, source: String?, customer: String?, outcome: String) {
        self.timestamp = timestamp
        self.client = client
        self.programId = programId
        self.source = source
        self.customer = customer
        self.outcome = outcome
    }

    /// The `YYYY-MM-DD` day of the timestamp.
    public var day: Substring { timestamp.prefix(10) }

    /// Parses a line of the usage log; `nil` for anything else (a torn line, a blank line).
    ///
    /// A small scanner for flat JSON objects, several times faster than a general decoder: the
    /// report must read a million lines in seconds.
    public init?(_ line: some Collection<UInt8>) {
        var scanner = FlatObjectScanner(Array(line))
        var timestamp: String?
        var client: String?
        var outcome: String?
        var programId: Int64?
        var source: String?
        var customer: String?
        guard scanner.consume(UInt8(ascii: "{")) else { return nil }
        if scanner.consume(UInt8(ascii: "}")) { return nil }
        repeat {
            guard let key = scanner.string(), scanner.consume(UInt8(ascii: ":")) else { return nil }
            switch key {
            case "ts": guard let value = scanner.string() else { return nil }; timestamp = value
            case "client": guard let value = scanner.string() else { return nil }; client = value
            case "outcome": guard let value = scanner.string() else { return nil }; outcome = value
            case "source": guard scanner.optionalString(&source) else { return nil }
            case "customer": guard scanner.optionalString(&customer) else { return nil }
            case "programId": guard scanner.optionalInteger(&programId) else { return nil }
            default: guard scanner.skipValue() else { return nil }
            }
        } while scanner.consume(UInt8(ascii: ","))
        guard scanner.consume(UInt8(ascii: "}")), let timestamp, timestamp.utf8.count >= 10, let client, let outcome else {
            return nil
        }
        self.init(timestamp: timestamp, client: client, programId: programId, source: source, customer: customer, outcome: outcome)
    }
}

/// Reads the tokens of a flat JSON object, skipping whitespace.
struct FlatObjectScanner {
    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    private mutating func skipWhitespace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0D {
            index += 1
        }
    }

    mutating func consume(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    mutating func string() -> String? {
        guard consume(UInt8(ascii: "\"")) else { return nil }
        let start = index
        var escaped = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\\") {
                escaped = true
                index += 2
                continue
            }
            if byte == UInt8(ascii: "\"") {
                defer { index += 1 }
                let raw = bytes[start..<index]
                return escaped ? Self.unescape(raw) : String(decoding: raw, as: UTF8.self)
            }
            index += 1
        }
        return nil
    }

    mutating func optionalString(_ value: inout String?) -> Bool {
        if consumeLiteral("null") { value = nil; return true }
        guard let text = string() else { return false }
        value = text
        return true
    }

    mutating func optionalInteger(_ value: inout Int64?) -> Bool {
        if consumeLiteral("null") { value = nil; return true }
        skipWhitespace()
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { negative = true; index += 1 }
        var number: Int64 = 0
        let start = index
        while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
            number = number &* 10 &+ Int64(bytes[index] - 0x30)
            index += 1
        }
        guard index > start else { return false }
        value = negative ? -number : number
        return true
    }

    /// Skips any JSON value (strings, numbers, literals, nested arrays and objects).
    mutating func skipValue() -> Bool {
        skipWhitespace()
        guard index < bytes.count else { return false }
        switch bytes[index] {
        case UInt8(ascii: "\""):
            return string() != nil
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            var depth = 0
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    guard string() != nil else { return false }
                    continue
                case UInt8(ascii: "["), UInt8(ascii: "{"): depth += 1
                case UInt8(ascii: "]"), UInt8(ascii: "}"):
                    depth -= 1
                    if depth == 0 { index += 1; return true }
                default: break
                }
                index += 1
            }
            return false
        default:
            let start = index
            while index < bytes.count, ![UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]")].contains(bytes[index]) {
                index += 1
            }
            return index > start
        }
    }

    private mutating func consumeLiteral(_ literal: StaticString) -> Bool {
        skipWhitespace()
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        let matches = literal.withUTF8Buffer { literal in
            bytes[index..<(index + count)].elementsEqual(literal)
        }
        if matches { index += count }
        return matches
    }

    private static func unescape(_ raw: ArraySlice<UInt8>) -> String? {
        var json: [UInt8] = [UInt8(ascii: "\"")]
        json.append(contentsOf: raw)
        json.append(UInt8(ascii: "\""))
        // Escapes are rare (user agents at most); the general decoder handles them.
        return (try? JSONValue.parse(json))?.stringValue
    }
}
