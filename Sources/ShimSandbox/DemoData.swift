/// The sandbox's in-memory vendor data: a few customers, programs and promotions, each chosen to
/// produce one documented outcome (listed in the README).
package struct DemoData: Sendable {
    /// A demo customer.
    package struct Customer: Sendable {
        /// The vendor's customer id (bulk identifierName `id`, and what the lookup answers).
        package var id: Int64
        /// The customer's mobile number (bulk identifierName `mobile`).
        package var mobile: String
        /// The customer's email address (bulk identifierName `email`), matched case-insensitively.
        package var email: String
        /// The customer's external id, found only through the customer lookup.
        package var externalId: String
        /// Customers in a user group the vendor cannot issue to (entity error 8899).
        package var inRestrictedUserGroup: Bool = false
    }

    /// The vendor's promotion types.
    package enum PromotionType: String, Sendable {
        /// Direct issue (`directEarn`).
        case loyalty = "LOYALTY"
        /// Enrol and issue (`enrolAndEarn`).
        case loyaltyEarning = "LOYALTY_EARNING"
    }

    /// A demo promotion.
    package struct Promotion: Sendable {
        /// The promotionId.
        package var id: Int64
        /// The program the promotion belongs to.
        package var programId: Int64
        /// The promotion's name, answered in the bulk result.
        package var name: String
        /// Decides which bulk endpoint and action may issue the promotion.
        package var type: PromotionType
        /// Inactive promotions are answered with an entity error and never issued.
        package var isActive: Bool = true
        /// Issue limits exhausted: answered with warning 8890 and no issual.
        package var limitExhausted: Bool = false
    }

    /// The customers the vendor knows.
    package var customers: [Customer]
    /// The programIds the vendor knows; any other is answered with an entity error.
    package var programIds: Set<Int64>
    /// The promotions the vendor knows, each in one program.
    package var promotions: [Promotion]
    /// Basic-auth users the sandbox accepts (user -> password).
    package var users: [String: String]
    /// Basic-auth users that authenticate but lack write access (answered 403).
    package var readOnlyUsers: Set<String>
    /// OAuth tokens (`X-CAP-API-OAUTH-TOKEN`) the sandbox accepts.
    package var oauthTokens: Set<String>

    /// The demo data the README's examples use.
    package static let standard = DemoData(
        customers: [
            Customer(id: 552_695_692, mobile: "918888888888", email: "priya@example.com", externalId: "EXT-1001"),
            Customer(id: 552_695_693, mobile: "917777777777", email: "arjun@example.com", externalId: "EXT-1002"),
            Customer(
                id: 552_695_699, mobile: "919999999999", email: "group@example.com", externalId: "EXT-1009",
                inRestrictedUserGroup: true
            ),
        ],
        programIds: [469, 2750],
        promotions: [
            Promotion(id: 65777, programId: 469, name: "Welcome bonus", type: .loyalty),
            Promotion(id: 65778, programId: 469, name: "Summer sale (ended)", type: .loyalty, isActive: false),
            Promotion(id: 65779, programId: 469, name: "Birthday treat (limit reached)", type: .loyalty, limitExhausted: true),
            Promotion(id: 65780, programId: 469, name: "Earn double points", type: .loyaltyEarning),
            Promotion(id: 201_436, programId: 2750, name: "Points promotion", type: .loyalty),
        ],
        users: ["till": "secret", "pos": "secret", "readonly": "secret"],
        readOnlyUsers: ["readonly"],
        oauthTokens: ["demo-token"]
    )

    func customer(identifierName: String, value: String) -> Customer? {
        switch identifierName {
        case "id": return customers.first { String($0.id) == value }
        case "mobile": return customers.first { $0.mobile == value }
        case "email": return customers.first { $0.email.lowercased() == value.lowercased() }
        case "externalId": return customers.first { $0.externalId == value }
        default: return nil
        }
    }
}
