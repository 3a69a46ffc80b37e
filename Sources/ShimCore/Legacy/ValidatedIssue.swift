/// A legacy issue call that passed validation: everything the bulk request needs.
package struct ValidatedIssue: Sendable, Equatable {
    /// The legacy identifierName, in its documented spelling (e.g. `externalId`).
    package var identifierName: String
    /// How the identifier is sent upstream.
    package var identifierMapping: IdentifierMapping
    /// The caller's identifierValue. Personal data: never log it.
    package var identifierValue: String
    /// The legacy source, in its documented spelling.
    package var source: String
    /// The optional legacy accountId.
    package var accountId: String?
    /// The legacy programId; always positive.
    package var programId: Int64
    /// The legacy promotionId; always positive.
    package var promotionId: Int64

    /// A validated call as given; ``IssueValidator`` is what produces one from a legacy call.
    package init(
        identifierName: String, identifierMapping: IdentifierMapping, identifierValue: String, source: String,
        accountId: String?, programId: Int64, promotionId: Int64
    ) {
        self.identifierName = identifierName
        self.identifierMapping = identifierMapping
        self.identifierValue = identifierValue
        self.source = source
        self.accountId = accountId
        self.programId = programId
        self.promotionId = promotionId
    }
}
