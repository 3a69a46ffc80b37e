/// Object members in one call: the key and its value, `null` for an absent one. The usage record
/// and the report's `json` format write their objects with these.
extension JSONWriter {
    /// Writes `"key":"value"`.
    package mutating func member(_ key: StaticString, _ value: String) {
        self.key(key)
        string(value)
    }

    /// Writes `"key":"value"`, or `"key":null` when `value` is `nil`.
    package mutating func member(_ key: StaticString, _ value: String?) {
        self.key(key)
        if let value { string(value) } else { self.value(.null) }
    }

    /// Writes `"key":` and the integer in decimal.
    package mutating func member(_ key: StaticString, _ value: some BinaryInteger) {
        self.key(key)
        integer(value)
    }

    /// Writes `"key":` and the integer in decimal, or `null` when `value` is `nil`.
    package mutating func member(_ key: StaticString, _ value: (some BinaryInteger)?) {
        self.key(key)
        if let value { integer(value) } else { self.value(.null) }
    }

    /// Writes `"key":true` or `"key":false`.
    package mutating func member(_ key: StaticString, _ value: Bool) {
        self.key(key)
        bool(value)
    }

    /// Writes `"key":` and the number (`null` when it is not finite).
    package mutating func member(_ key: StaticString, _ value: Double) {
        self.key(key)
        self.value(.double(value))
    }

    /// Writes `"key":{…}`, the members `body` writes.
    package mutating func object(_ key: StaticString, _ body: (inout JSONWriter) -> Void) {
        self.key(key)
        object(body)
    }

    /// Writes `"key":[…]`, one object per element, whose members `body` writes.
    package mutating func objects<Element>(
        _ key: StaticString, _ elements: some Sequence<Element>, _ body: (inout JSONWriter, Element) -> Void
    ) {
        self.key(key)
        array { writer in
            for element in elements {
                writer.object { writer in body(&writer, element) }
            }
        }
    }

    /// Writes `"key":{"name":count,…}`, names in ascending order.
    package mutating func counts(_ key: StaticString, _ counts: [String: Int]) {
        object(key) { writer in
            for (name, count) in counts.sorted(by: { $0.key < $1.key }) {
                writer.key(name)
                writer.integer(count)
            }
        }
    }
}
