/// The vendor's bulk request, as the sandbox reads it.
struct SandboxBulkRequest: Decodable {
    struct PromotionDetails: Decodable {
        var programId: Int64?
        var promotionId: Int64?
        var promoIdentifier: String?
    }

    struct Customer: Decodable {
        var identifierValue: String?
        var source: String?
    }

    var type: String?
    var bulkAction: String?
    var promotionDetails: PromotionDetails?
    var identifierName: String?
    var customers: [Customer]?
}

/// One error or warning of the vendor.
struct SandboxMessage: Encodable {
    var status = false
    var code: Int
    var message: String
}

/// The vendor's bulk response.
struct SandboxBulkResponse: Encodable {
    struct Result: Encodable {
        var entityType = "CUSTOMER"
        var entityId: Int64
        var promotionId: Int64
        var programId: Int64
        var promotionName: String
        var issualId: String?
        var earnedId: String?
    }

    struct Entity: Encodable {
        var result: Result?
        var errors: [SandboxMessage]
        var warnings: [SandboxMessage]
    }

    var response: [Entity]
    var totalCount: Int
    var failureCount: Int
}

/// The vendor's customer lookup answer.
struct SandboxLookupResponse: Encodable {
    var entity: Int64?
    var errors: [SandboxMessage]
    var warnings: [SandboxMessage]
}

extension SandboxMessage {
    static let invalidProgram = SandboxMessage(code: 1101, message: "invalid programId passed")
    static let customerNotFound = SandboxMessage(code: 8015, message: "Customer not found for the given identifiers")
    static let invalidPromotion = SandboxMessage(code: 8874, message: "promotion id passed is invalid")
    static let insufficientParameters = SandboxMessage(
        code: 8881,
        message: "insufficient parameters passed, program id and one of promotion id/identifier are required"
    )
    static let notIssued = SandboxMessage(
        code: 8890,
        message: "promotion not issued due to config issues or customer exhausted limits"
    )
    static let inactive = SandboxMessage(code: 8892, message: "promotion is inactive")
    static let userGroup = SandboxMessage(code: 8899, message: "Cannot enrol/issue to the user group")
    static let invalidEntityType = SandboxMessage(code: 8901, message: "invalid entity type passed")
    static let actionNotSupported = SandboxMessage(code: 8902, message: "bulk action not supported for the promotion type")
}
