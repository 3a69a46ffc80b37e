/// A parsed JSON document, kept loosely typed so that validation can tell "missing" from
/// "present with the wrong type" and report each the way the legacy API did.
package enum JSONValue: Sendable, Equatable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number without fraction or exponent that fits in 64 bits.
    case integer(Int64)
    /// Any other finite number: with a fraction or exponent, or too large for `integer`.
    case double(Double)
    /// A string, unescaped.
    case string(String)
    /// An array, in document order.
    case array([JSONValue])
    /// An object; member order is not kept.
    case object([String: JSONValue])

    /// Parses a complete JSON document.
    /// - Throws: ``JSONValue/ParseError`` when the bytes are not a JSON document.
    package static func parse(_ bytes: some Collection<UInt8>) throws(ParseError) -> JSONValue {
        let parsed =
            bytes.withContiguousStorageIfAvailable { buffer in JSONParser.parse(UnsafeRawBufferPointer(buffer)) }
            ?? Array(bytes).withUnsafeBytes { JSONParser.parse($0) }
        guard let parsed else { throw ParseError() }
        return parsed
    }

    /// The bytes were not a JSON document.
    package struct ParseError: Error, Sendable {}

    /// The member `key` of an object, or `nil` when this is not an object or has no such member.
    package subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members[key]
    }

    /// The value as a 64-bit integer: a JSON integer, a whole number, or a string of decimal digits
    /// (Jackson, behind the legacy API, coerces the latter two into a `Long`).
    package var int64Value: Int64? {
        switch self {
        case .integer(let value):
            return value
        case .double(let value):
            guard value.rounded() == value, let exact = Int64(exactly: value) else { return nil }
            return exact
        case .string(let text):
            return Int64(text)
        default:
            return nil
        }
    }

    /// The value as a string, when it is a JSON string.
    package var stringValue: String? {
        guard case .string(let text) = self else { return nil }
        return text
    }

    /// The elements, when the value is a JSON array.
    package var arrayValue: [JSONValue]? {
        guard case .array(let elements) = self else { return nil }
        return elements
    }
}
