/// Reads the tokens of a flat JSON object in place, skipping whitespace: the usage log's reader.
///
/// Several times faster than a general decoder, which the report needs to read a million lines in
/// seconds: no copy of the line, keys compared as bytes, strings built only for the values asked for.
/// The buffer must stay valid while the scanner is used.
struct FlatObjectScanner {
    private let bytes: UnsafeRawBufferPointer
    private var index = 0

    init(_ bytes: UnsafeRawBufferPointer) {
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

    /// The raw bytes of a string (between its quotes) and whether it holds escapes.
    mutating func rawString() -> (range: Range<Int>, escaped: Bool)? {
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
                index += 1
                return (start..<(index - 1), escaped)
            }
            index += 1
        }
        return nil
    }

    /// A member's key, to compare with ``isKey(_:_:)``.
    mutating func key() -> Range<Int>? {
        guard let (range, _) = rawString(), consume(UInt8(ascii: ":")) else { return nil }
        return range
    }

    /// Whether a key read by ``key()`` is `name` (keys of the usage log have no escapes).
    func isKey(_ range: Range<Int>, _ name: StaticString) -> Bool {
        guard range.count == name.utf8CodeUnitCount else { return false }
        return name.withUTF8Buffer { name in
            var offset = 0
            while offset < name.count {
                if bytes[range.lowerBound + offset] != name[offset] { return false }
                offset += 1
            }
            return true
        }
    }

    /// The bytes of a range read by ``rawString()``.
    func slice(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[range])
    }

    mutating func string() -> String? {
        guard let (range, escaped) = rawString() else { return nil }
        let raw = slice(range)
        return escaped ? Self.unescape(raw) : String(decoding: raw, as: UTF8.self)
    }

    mutating func optionalString(_ value: inout String?) -> Bool {
        if consumeLiteral("null") {
            value = nil
            return true
        }
        guard let text = string() else { return false }
        value = text
        return true
    }

    mutating func integer() -> Int64? {
        skipWhitespace()
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        var number: Int64 = 0
        let start = index
        while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39, index - start < 18 {
            number = number * 10 + Int64(bytes[index] - 0x30)
            index += 1
        }
        guard index > start else { return nil }
        return negative ? -number : number
    }

    /// An integer or `null`; a number the type cannot hold is unreadable.
    mutating func optionalInteger<Integer: FixedWidthInteger>(_ value: inout Integer?) -> Bool {
        if consumeLiteral("null") {
            value = nil
            return true
        }
        guard let number = integer(), let exact = Integer(exactly: number) else { return false }
        value = exact
        return true
    }

    /// A number such as `4.848`: digits and a fraction are read exactly (the nearest double, as a
    /// general parser gives); an exponent or a long mantissa goes to the standard library.
    mutating func double() -> Double? {
        skipWhitespace()
        let start = index
        while index < bytes.count, Self.isNumberByte(bytes[index]) { index += 1 }
        let text = slice(start..<index)
        guard !text.isEmpty else { return nil }
        var mantissa: Int64 = 0
        var digits = 0
        var scale = 0
        var inFraction = false
        let negative = text[0] == UInt8(ascii: "-")
        for byte in text.dropFirst(negative ? 1 : 0) {
            if byte >= 0x30, byte <= 0x39 {
                mantissa = mantissa * 10 + Int64(byte - 0x30)
                digits += 1
                if inFraction { scale += 1 }
                if digits > 15 { return Double(String(decoding: text, as: UTF8.self)) }
            } else if byte == UInt8(ascii: "."), !inFraction {
                inFraction = true
            } else {
                return Double(String(decoding: text, as: UTF8.self))
            }
        }
        guard digits > 0 else { return nil }
        let value = Double(mantissa) / Self.powersOfTen[scale]
        return negative ? -value : value
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
            || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
    }

    private static let powersOfTen: [Double] = (0...15).map { exponent in
        (0..<exponent).reduce(1.0) { value, _ in value * 10 }
    }

    mutating func optionalDouble(_ value: inout Double?) -> Bool {
        if consumeLiteral("null") {
            value = nil
            return true
        }
        guard let number = double() else { return false }
        value = number
        return true
    }

    mutating func boolean() -> Bool? {
        if consumeLiteral("true") { return true }
        if consumeLiteral("false") { return false }
        return nil
    }

    /// An array of integers, such as `codes`.
    mutating func integers() -> [Int]? {
        guard consume(UInt8(ascii: "[")) else { return nil }
        var values: [Int] = []
        if consume(UInt8(ascii: "]")) { return values }
        repeat {
            guard let value = integer() else { return nil }
            values.append(Int(value))
        } while consume(UInt8(ascii: ","))
        return consume(UInt8(ascii: "]")) ? values : nil
    }

    /// Skips any JSON value (strings, numbers, literals, nested arrays and objects).
    mutating func skipValue() -> Bool {
        skipWhitespace()
        guard index < bytes.count else { return false }
        switch bytes[index] {
        case UInt8(ascii: "\""):
            return rawString() != nil
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            var depth = 0
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    guard rawString() != nil else { return false }
                    continue
                case UInt8(ascii: "["), UInt8(ascii: "{"): depth += 1
                case UInt8(ascii: "]"), UInt8(ascii: "}"):
                    depth -= 1
                    if depth == 0 {
                        index += 1
                        return true
                    }
                default: break
                }
                index += 1
            }
            return false
        default:
            let start = index
            while index < bytes.count, bytes[index] != UInt8(ascii: ","), bytes[index] != UInt8(ascii: "}"),
                bytes[index] != UInt8(ascii: "]")
            {
                index += 1
            }
            return index > start
        }
    }

    /// Whether only whitespace is left.
    mutating func atEnd() -> Bool {
        skipWhitespace()
        return index == bytes.count
    }

    private mutating func consumeLiteral(_ literal: StaticString) -> Bool {
        skipWhitespace()
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        let matches = literal.withUTF8Buffer { literal in
            slice(index..<(index + count)).elementsEqual(literal)
        }
        if matches { index += count }
        return matches
    }

    private static func unescape(_ raw: UnsafeRawBufferPointer) -> String? {
        var json: [UInt8] = [UInt8(ascii: "\"")]
        json.append(contentsOf: raw)
        json.append(UInt8(ascii: "\""))
        // Escapes are rare (user agents at most); the general decoder handles them.
        return (try? JSONValue.parse(json))?.stringValue
    }
}
