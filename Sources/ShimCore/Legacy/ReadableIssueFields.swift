/// What can be read of a legacy call that validation refused, for its usage record: operations
/// chasing the last callers of the endpoint need the program and promotion of a refused call too.
/// Only what parses is kept: a known source and identifier name (canonical), and positive ids.
/// Never the identifier value.
package struct ReadableIssueFields: Sendable, Equatable {
    /// The body's programId, when it is a positive integer.
    package var programId: Int64?
    /// The body's promotionId, when it is a positive integer.
    package var promotionId: Int64?
    /// The first `source` parameter that names a known source, in its documented spelling.
    package var source: String?
    /// The first `identifierName` parameter that names a known identifier, in its documented spelling.
    package var identifierName: String?

    /// Fields as given; `nil` for what could not be read.
    package init(programId: Int64? = nil, promotionId: Int64? = nil, source: String? = nil, identifierName: String? = nil) {
        self.programId = programId
        self.promotionId = promotionId
        self.source = source
        self.identifierName = identifierName
    }
}

extension IssueValidator {
    /// The fields of `call` that can be read, whatever made validation refuse it.
    package func readableFields(of call: LegacyIssueCall) -> ReadableIssueFields {
        var fields = ReadableIssueFields()
        if let body = try? JSONValue.parse(call.body), case .object = body {
            fields.programId = body["programId"]?.int64Value.flatMap { $0 > 0 ? $0 : nil }
            fields.promotionId = body["promotionId"]?.int64Value.flatMap { $0 > 0 ? $0 : nil }
        }
        for (name, value) in call.query {
            switch name {
            case "source" where fields.source == nil: fields.source = sources.resolve(value)
            case "identifierName" where fields.identifierName == nil: fields.identifierName = identifiers.resolve(value)?.name
            default: break
            }
        }
        return fields
    }
}
