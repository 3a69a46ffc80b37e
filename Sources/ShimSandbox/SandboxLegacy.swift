import Foundation
import Hummingbird

/// The sandbox's simulation of the vendor's legacy `POST /v2/promotion/issue`, written from the
/// legacy spec independently of the shim's translator, so that comparing the two proves something.
struct SandboxLegacy: Sendable {
    let vendor: SandboxVendor

    /// A legacy `warnings`/`errors` entry.
    struct Message: Encodable {
        var status = false
        var code: Int
        var message: String
    }

    /// A legacy `sideEffects` entry.
    struct SideEffect: Encodable {
        var programId: Int64
        var issualId: Int64?
        var earnedId: Int64?
        var promotionId: Int64
        var type = "Points promotion"
    }

    /// The legacy success and warning answer.
    struct Answer: Encodable {
        var warnings: [Message]
        var errors: [Message]
        var sideEffects: [SideEffect]
    }

    /// The legacy error answer (no sideEffects key).
    struct ErrorAnswer: Encodable {
        var warnings: [Message] = []
        var errors: [Message]
    }

    func issue(query: [String: String], body: Data) -> (status: HTTPResponse.Status, body: any Encodable) {
        func error(_ code: Int, _ message: String) -> (HTTPResponse.Status, any Encodable) {
            (.badRequest, ErrorAnswer(errors: [Message(code: code, message: message)]))
        }
        guard let name = query["identifierName"], !name.isEmpty, let value = query["identifierValue"], !value.isEmpty,
            let source = query["source"], !source.isEmpty
        else {
            return error(11013, "identifierName, identifierValue, source can not be empty")
        }
        if let type = query["type"], !type.isEmpty, type.uppercased() != "CUSTOMER" {
            return error(1212, "entity type invalid")
        }
        let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
        guard let programId = Self.long(object["programId"]), programId > 0 else {
            return error(1101, "invalid programId passed")
        }
        guard let promotionId = Self.long(object["promotionId"]), promotionId > 0 else {
            return error(8874, "promotion id passed is invalid")
        }
        var identifierName = name.lowercased() == "externalid" ? "externalId" : name.lowercased()
        var identifierValue = value
        if identifierName == "externalId" {
            guard let id = vendor.lookup(identifierName: "externalId", value: value) else {
                return error(8015, "Customer not found for the given identifiers")
            }
            identifierName = "id"
            identifierValue = String(id)
        }
        let request = SandboxBulkRequest(
            type: "CUSTOMER",
            bulkAction: "ENROL",
            promotionDetails: .init(programId: programId, promotionId: promotionId),
            identifierName: identifierName,
            customers: [.init(identifierValue: identifierValue, source: source.uppercased())]
        )
        guard let entity = vendor.bulk(request, endpoint: .directEarn)?.response.first else {
            return error(8881, "insufficient parameters passed, program id and one of promotion id/identifier are required")
        }
        let warnings = entity.warnings.map { Message(code: $0.code, message: $0.message) }
        if !entity.errors.isEmpty {
            return (
                .badRequest,
                ErrorAnswer(warnings: warnings, errors: entity.errors.map { Message(code: $0.code, message: $0.message) })
            )
        }
        var sideEffects: [SideEffect] = []
        if let result = entity.result, result.issualId != nil || result.earnedId != nil {
            sideEffects.append(
                SideEffect(
                    programId: result.programId,
                    issualId: result.issualId.flatMap { Int64($0) },
                    earnedId: result.earnedId.flatMap { Int64($0) },
                    promotionId: result.promotionId
                )
            )
        }
        return (.ok, Answer(warnings: warnings, errors: [], sideEffects: sideEffects))
    }

    private static func long(_ value: Any?) -> Int64? {
        switch value {
        case let number as NSNumber:
            let double = number.doubleValue
            return double.rounded() == double ? Int64(exactly: double) : nil
        case let text as String:
            return Int64(text)
        default:
            return nil
        }
    }
}
