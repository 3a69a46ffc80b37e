/// A bulk response, read leniently: ids may come as strings or numbers.
package struct BulkResponse: Sendable {
    /// One processed customer.
    package struct Entity: Sendable {
        /// The issue result; absent for failed entities.
        package var result: JSONValue?
        /// The vendor's entity errors; empty when it sent none.
        package var errors: [LegacyMessage]
        /// The vendor's entity warnings; empty when it sent none.
        package var warnings: [LegacyMessage]
    }

    /// One entity per customer of the bulk call, in the order of `customers`.
    package var entities: [Entity]

    /// Parses a bulk response body.
    /// - Returns: `nil` when the body is not JSON or not shaped as a bulk response.
    package init?(body: some Collection<UInt8>) {
        guard let root = try? JSONValue.parse(body), let response = root["response"]?.arrayValue else { return nil }
        var entities: [Entity] = []
        entities.reserveCapacity(response.count)
        for element in response {
            guard case .object = element,
                let errors = Self.messages(element["errors"]),
                let warnings = Self.messages(element["warnings"])
            else { return nil }
            let result: JSONValue?
            switch element["result"] {
            case .none, .null?: result = nil
            case .object?: result = element["result"]
            default: return nil
            }
            entities.append(Entity(result: result, errors: errors, warnings: warnings))
        }
        self.entities = entities
    }

    /// Reads an `errors`/`warnings` list; a missing list is empty, a malformed one is `nil`.
    private static func messages(_ value: JSONValue?) -> [LegacyMessage]? {
        guard let value, value != .null else { return [] }
        guard let elements = value.arrayValue else { return nil }
        var messages: [LegacyMessage] = []
        for element in elements {
            guard let code = element["code"]?.int64Value, let intCode = Int(exactly: code) else { return nil }
            messages.append(LegacyMessage(code: intCode, message: element["message"]?.stringValue ?? ""))
        }
        return messages
    }
}
