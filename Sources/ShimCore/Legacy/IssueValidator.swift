/// Validates a legacy issue call the way the legacy API did, before anything is sent upstream.
package struct IssueValidator: Sendable {
    /// The legacy identifier names the validator accepts.
    package let identifiers: IdentifierTable
    /// The legacy sources the validator accepts.
    package let sources: SourceTable

    /// A validator for the identifier names and sources of `mappings`.
    package init(mappings: MappingSet) {
        self.identifiers = mappings.identifiers
        self.sources = mappings.sources
    }

    /// The query parameters the legacy call defines; each may appear at most once.
    static let parameterNames: Set<String> = ["identifierName", "identifierValue", "source", "type", "accountId"]

    /// Validates a call: a ``ValidatedIssue`` or the first ``LegacyFailure`` in the legacy API's order.
    package func validate(_ call: LegacyIssueCall) -> Result<ValidatedIssue, LegacyFailure> {
        guard let body = try? JSONValue.parse(call.body), case .object = body else {
            return .failure(.malformedBody)
        }
        var parameters: [String: String] = [:]
        for (name, value) in call.query where Self.parameterNames.contains(name) {
            guard parameters.updateValue(value, forKey: name) == nil else { return .failure(.duplicateParameter) }
        }
        func present(_ name: String) -> String? {
            guard let value = parameters[name], value.contains(where: { !$0.isWhitespace }) else { return nil }
            return value
        }
        guard let name = present("identifierName"), let value = present("identifierValue"), let source = present("source")
        else {
            return .failure(.missingParameters)
        }
        if let type = present("type"), type.uppercased() != "CUSTOMER" {
            return .failure(.invalidEntityType)
        }
        guard let identifier = identifiers.resolve(name) else { return .failure(.unknownIdentifierName) }
        guard let canonicalSource = sources.resolve(source) else { return .failure(.unknownSource) }
        guard let programId = body["programId"]?.int64Value, programId > 0 else { return .failure(.invalidProgramId) }
        guard let promotionId = body["promotionId"]?.int64Value, promotionId > 0 else {
            return .failure(.invalidPromotionId)
        }
        return .success(
            ValidatedIssue(
                identifierName: identifier.name,
                identifierMapping: identifier.mapping,
                identifierValue: value,
                source: canonicalSource,
                accountId: present("accountId"),
                programId: programId,
                promotionId: promotionId
            )
        )
    }
}
