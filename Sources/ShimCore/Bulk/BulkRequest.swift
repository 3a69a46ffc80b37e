/// The bulk issue request body: one `customers` entry per legacy call.
package struct BulkRequest: Sendable {
    /// The promotion the customers are enrolled into.
    package struct PromotionDetails: Sendable {
        /// The legacy programId.
        package var programId: Int64
        /// The legacy promotionId.
        package var promotionId: Int64
    }

    /// One customer of the bulk call.
    package struct Customer: Sendable, Equatable {
        /// The caller's identifierValue, or the looked-up customer id. Personal data: never log it.
        package var identifierValue: String
        /// The legacy source, in its documented spelling.
        package var source: String
        /// The legacy accountId, when the bulk route forwards it.
        package var accountId: String?

        /// A customer entry as the bulk API reads it.
        package init(identifierValue: String, source: String, accountId: String? = nil) {
            self.identifierValue = identifierValue
            self.source = source
            self.accountId = accountId
        }
    }

    /// The entity type; always `CUSTOMER`.
    package var type: String
    /// The bulk action of the route, e.g. `ENROL`.
    package var bulkAction: String
    /// The promotion every customer of the call is enrolled into.
    package var promotionDetails: PromotionDetails
    /// The bulk identifierName that names every customer's identifierValue (`id` after a lookup).
    package var identifierName: String
    /// The customers, one per legacy call, in the order their entities are answered.
    package var customers: [Customer]

    /// The one-customer bulk request for a validated legacy call.
    /// - Parameters:
    ///   - issue: The validated legacy call.
    ///   - route: The bulk route from the mappings.
    ///   - customerId: The customer id the lookup resolved, for identifiers that need one.
    package init(issue: ValidatedIssue, route: BulkRoute, customerId: Int64? = nil) {
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
