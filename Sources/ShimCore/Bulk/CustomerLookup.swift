/// The customer lookup that resolves a legacy `externalId` to the customer id the bulk API needs.
package enum CustomerLookup {
    /// The lookup's query parameters for a validated call (not yet percent-encoded).
    package static func query(for issue: ValidatedIssue) -> [(name: String, value: String)] {
        var query: [(name: String, value: String)] = [
            ("source", issue.source),
            ("identifierName", issue.identifierName),
            ("identifierValue", issue.identifierValue),
        ]
        if let accountId = issue.accountId {
            query.append(("accountId", accountId))
        }
        return query
    }

    /// The customer id of a lookup answer `{"entity": 552695692, ...}`, or `nil` when it names none.
    package static func customerId(from body: some Collection<UInt8>) -> Int64? {
        guard let answer = try? JSONValue.parse(body), let id = answer["entity"]?.int64Value, id > 0 else {
            return nil
        }
        return id
    }
}
