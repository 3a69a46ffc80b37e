import Synchronization

/// The simulated vendor's behaviour over ``DemoData``: what `directEarn`, `enrolAndEarn` and the
/// customer lookup answer. Each issued promotion gets fresh issual and earned ids.
final class SandboxVendor: Sendable {
    /// The bulk endpoints the sandbox serves.
    enum BulkEndpoint {
        case directEarn
        case enrolAndEarn
    }

    /// The vendor's documented batch-size limit for one bulk call.
    static let maxCustomersPerCall = 100

    let data: DemoData
    private let nextIds = Mutex<(issual: Int64, earned: Int64)>((809, 764))

    init(data: DemoData) {
        self.data = data
    }

    /// Answers a bulk call; `nil` when the request is refused as a whole (too many customers).
    func bulk(_ request: SandboxBulkRequest, endpoint: BulkEndpoint) -> SandboxBulkResponse? {
        let customers = request.customers ?? []
        guard customers.count <= Self.maxCustomersPerCall else { return nil }
        let entities = customers.map { entity(for: $0, request: request, endpoint: endpoint) }
        return SandboxBulkResponse(
            response: entities,
            totalCount: entities.count,
            failureCount: entities.filter { !$0.errors.isEmpty }.count
        )
    }

    /// The customer id for a lookup, if the customer exists.
    func lookup(identifierName: String, value: String) -> Int64? {
        data.customer(identifierName: identifierName, value: value)?.id
    }

    private func entity(
        for customer: SandboxBulkRequest.Customer,
        request: SandboxBulkRequest,
        endpoint: BulkEndpoint
    ) -> SandboxBulkResponse.Entity {
        func failed(_ error: SandboxMessage) -> SandboxBulkResponse.Entity {
            .init(result: nil, errors: [error], warnings: [])
        }
        guard request.type == "CUSTOMER" else { return failed(.invalidEntityType) }
        guard let programId = request.promotionDetails?.programId,
            let promotionId = request.promotionDetails?.promotionId,
            let identifierName = request.identifierName, ["id", "mobile", "email"].contains(identifierName),
            let value = customer.identifierValue, customer.source != nil
        else { return failed(.insufficientParameters) }
        guard data.programIds.contains(programId) else { return failed(.invalidProgram) }
        guard let promotion = data.promotions.first(where: { $0.id == promotionId && $0.programId == programId }) else {
            return failed(.invalidPromotion)
        }
        switch (endpoint, promotion.type, request.bulkAction) {
        case (.directEarn, .loyalty, "ENROL"), (.enrolAndEarn, .loyaltyEarning, "ENROL"),
            (.enrolAndEarn, .loyaltyEarning, "EARN"):
            break
        case (.directEarn, .loyaltyEarning, _):
            return failed(.invalidPromotion)
        default:
            return failed(.actionNotSupported)
        }
        guard promotion.isActive else { return failed(.inactive) }
        guard let found = data.customer(identifierName: identifierName, value: value) else {
            return failed(.customerNotFound)
        }
        guard !found.inRestrictedUserGroup else { return failed(.userGroup) }
        var result = SandboxBulkResponse.Result(
            entityId: found.id,
            promotionId: promotion.id,
            programId: promotion.programId,
            promotionName: promotion.name
        )
        if promotion.limitExhausted {
            return .init(result: result, errors: [], warnings: [.notIssued])
        }
        let ids = nextIds.withLock { ids in
            defer { ids = (ids.issual + 1, ids.earned + 1) }
            return ids
        }
        result.issualId = String(ids.issual)
        result.earnedId = String(ids.earned)
        return .init(result: result, errors: [], warnings: [])
    }
}
