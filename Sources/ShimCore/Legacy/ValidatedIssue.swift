/// A legacy issue call that passed validation: everything the bulk request needs.
public struct ValidatedIssue: Sendable, Equatable {
    /// The legacy identifierName, in its documented spelling (e.g. `externalId`).
    public var identifierName: String
    /// How the identifier is sent upstream.
    public var identifierMapping: IdentifierMapping
    /// The caller's identifierValue. Personal data: never log it.
    public var identifierValue: String
    /// The legacy source, in its documented spelling.
    public var source: String
    /// The optional legacy accountId.
    public var accountId: String?
    /// The legacy programId; always positive.
    public var programId: Int64
    /// The legacy promotionId; always positive.
    public var promotionId: Int64

    /// A validated call as given; ``IssueValidator`` is what produces one from a legacy call.
    public init(
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
