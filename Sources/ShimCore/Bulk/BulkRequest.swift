/// The bulk issue request body: one `customers` entry per legacy call.
public struct BulkRequest: Sendable, Equatable {
    /// The promotion the customers are enrolled into.
    public struct PromotionDetails: Sendable, Equatable {
        public var programId: Int64
        public var promotionId: Int64
    }

    /// One customer of the bulk call.
    public struct Customer: Sendable, Equatable {
        public var identifierValue: String
        public var source: String
        public var accountId: String?

        public init(identifierValue: String, source: String, accountId: String? = nil) {
            self.identifierValue = identifierValue
            self.source = source
            self.accountId = accountId
        }
    }

    public var type: String
    public var bulkAction: String
    public var promotionDetails: PromotionDetails
    public var identifierName: String
    public var customers: [Customer]

    /// The one-customer bulk request for a validated legacy call.
    /// - Parameters:
    ///   - issue: The validated legacy call.
    ///   - route: The bulk route from the mappings.
    ///   - customerId: The customer id the lookup resolved, for identifiers that need one.
    public init(issue: ValidatedIssue, route: BulkRoute, customerId: Int64? = nil) {
        let identifierName: String
        let identifierValue: String
        switch issue.identifierMapping {
        case .bulk(let name):
            identifierName = name
            identifierValue = issue.identifierValue
        case .lookup:
            identifierName = "id"
            identifierValue = customerId.map(String.init) ?? issue.identifierValue
        }
        self.type = "CUSTOMER"
        self.bulkAction = route.bulkAction
        self.promotionDetails = PromotionDetails(programId: issue.programId, promotionId: issue.promotionId)
        self.identifierName = identifierName
        self.customers = [
            Customer(
                identifierValue: identifierValue,
                source: issue.source,
                accountId: route.forwardAccountId ? issue.accountId : nil
            )
        ]
    }
}
