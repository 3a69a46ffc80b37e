import Foundation
import ShimCore
import Testing

/// Every example of the legacy spec, paired with the bulk answer that must produce it.
@Suite("Golden translations from the spec")
struct GoldenTranslationTests {
    struct Golden: Sendable, CustomTestStringConvertible {
        var name: String
        var bulkStatus: Int
        var bulk: String
        var legacyStatus: Int
        var legacy: String
        var outcome: CallOutcome
        var testDescription: String { name }
    }

    static let goldens: [Golden] = [
        Golden(
            name: "Response 200",
            bulkStatus: 200,
            bulk:
                #"{"response":[{"result":{"entityType":"CUSTOMER","entityId":423924812,"promotionId":201436,"programId":2750,"issualId":"809","earnedId":"764"},"errors":[],"warnings":[]}],"totalCount":1,"failureCount":0}"#,
            legacyStatus: 200,
            legacy:
                #"{"warnings":[],"errors":[],"sideEffects":[{"programId":2750,"issualId":809,"earnedId":764,"promotionId":201436,"type":"Points promotion"}]}"#,
            outcome: .issued
        ),
        Golden(
            name: "Error: due to config issues or limit",
            bulkStatus: 200,
            bulk:
                #"{"response":[{"result":{"entityType":"CUSTOMER","entityId":423924812,"promotionId":201436,"programId":2750},"errors":[],"warnings":[{"status":false,"code":8890,"message":"promotion not issued due to config issues or customer exhausted limits"}]}],"totalCount":1,"failureCount":0}"#,
            legacyStatus: 200,
            legacy:
                #"{"warnings":[{"status":false,"code":8890,"message":"promotion not issued due to config issues or customer exhausted limits"}],"errors":[],"sideEffects":[]}"#,
            outcome: .warning
        ),
        Golden(
            name: "Error: Invalid ProgramId passed",
            bulkStatus: 200,
            bulk:
                #"{"response":[{"errors":[{"status":false,"code":1101,"message":"invalid programId passed"}],"warnings":[]}],"totalCount":1,"failureCount":1}"#,
            legacyStatus: 400,
            legacy: #"{"warnings":[],"errors":[{"status":false,"message":"invalid programId passed","code":1101}]}"#,
            outcome: .error
        ),
        Golden(
            name: "Error: Invalid Promotion ID passed",
            bulkStatus: 200,
            bulk:
                #"{"response":[{"errors":[{"status":false,"code":8874,"message":"promotion id passed is invalid"}],"warnings":[]}],"totalCount":1,"failureCount":1}"#,
            legacyStatus: 400,
            legacy: #"{"warnings":[],"errors":[{"status":false,"message":"promotion id passed is invalid","code":8874}]}"#,
            outcome: .error
        ),
        Golden(
            name: "Error: Customer not found",
            bulkStatus: 200,
            bulk:
                #"{"response":[{"errors":[{"status":false,"code":8015,"message":"Customer not found for the given identifiers"}],"warnings":[]}],"totalCount":1,"failureCount":1}"#,
            legacyStatus: 400,
            legacy:
                #"{"warnings":[],"errors":[{"status":false,"code":8015,"message":"Customer not found for the given identifiers"}]}"#,
            outcome: .error
        ),
        Golden(
            name: "Bulk-only 8892 promotion is inactive, relayed code for code",
            bulkStatus: 200,
            bulk:
                #"{"response":[{"errors":[{"status":false,"code":8892,"message":"promotion is inactive"}],"warnings":[]}],"totalCount":1,"failureCount":1}"#,
            legacyStatus: 400,
            legacy: #"{"warnings":[],"errors":[{"status":false,"code":8892,"message":"promotion is inactive"}]}"#,
            outcome: .error
        ),
        Golden(
            name: "Bulk-only 8899 user group",
            bulkStatus: 200,
            bulk:
                #"{"response":[{"errors":[{"status":false,"code":8899,"message":"Cannot enrol/issue to the user group"}],"warnings":[]}],"totalCount":1,"failureCount":1}"#,
            legacyStatus: 400,
            legacy: #"{"warnings":[],"errors":[{"status":false,"code":8899,"message":"Cannot enrol/issue to the user group"}]}"#,
            outcome: .error
        ),
        Golden(
            name: "Bulk-only 8881 insufficient parameters",
            bulkStatus: 200,
            bulk:
                #"{"response":[{"errors":[{"status":false,"code":8881,"message":"insufficient parameters passed, program id and one of promotion id/identifier are required"}],"warnings":[]}],"totalCount":1,"failureCount":1}"#,
            legacyStatus: 400,
            legacy:
                #"{"warnings":[],"errors":[{"status":false,"code":8881,"message":"insufficient parameters passed, program id and one of promotion id/identifier are required"}]}"#,
            outcome: .error
        ),
        Golden(
            name: "An unlisted vendor code is relayed unchanged with the default error status",
            bulkStatus: 400,
            bulk:
                #"{"response":[{"errors":[{"status":false,"code":7777,"message":"something new"}],"warnings":[]}],"totalCount":1,"failureCount":1}"#,
            legacyStatus: 400,
            legacy: #"{"warnings":[],"errors":[{"status":false,"code":7777,"message":"something new"}]}"#,
            outcome: .error
        ),
        Golden(
            name: "Issued with only an issualId (the bulk spec's own example)",
            bulkStatus: 200,
            bulk:
                #"{"response":[{"result":{"entityType":"CUSTOMER","entityId":98662653,"promotionId":56799,"programId":469,"issualId":"35"},"errors":[],"warnings":[]}],"totalCount":1,"failureCount":0}"#,
            legacyStatus: 200,
            legacy:
                #"{"warnings":[],"errors":[],"sideEffects":[{"programId":469,"issualId":35,"promotionId":56799,"type":"Points promotion"}]}"#,
            outcome: .issued
        ),
        Golden(
            name: "A non-numeric vendor id is relayed as a string rather than lost",
            bulkStatus: 200,
            bulk:
                #"{"response":[{"result":{"entityType":"CUSTOMER","entityId":1,"promotionId":201436,"programId":2750,"issualId":"A-809","earnedId":764},"errors":[],"warnings":[]}],"totalCount":1,"failureCount":0}"#,
            legacyStatus: 200,
            legacy:
                #"{"warnings":[],"errors":[],"sideEffects":[{"programId":2750,"issualId":"A-809","earnedId":764,"promotionId":201436,"type":"Points promotion"}]}"#,
            outcome: .issued
        ),
    ]

    @Test("Bulk answer to legacy answer", arguments: goldens)
    func golden(_ golden: Golden) throws {
        let answer = ResponseTranslator(mappings: Fixtures.mappings).translate(
            upstreamStatus: golden.bulkStatus,
            body: Array(golden.bulk.utf8),
            issue: Fixtures.mobileIssue
        )
        #expect(answer.status == golden.legacyStatus)
        #expect(answer.outcome == golden.outcome)
        let encoded = LegacyJSON.encode(answer.body)
        let actual = try #require(Fixtures.object(encoded))
        let expected = try #require(Fixtures.object(golden.legacy))
        #expect(actual == expected, "\(String(decoding: encoded, as: UTF8.self))")
        // Error answers have no sideEffects key, success and warning answers do (as in the legacy examples).
        #expect((actual["sideEffects"] != nil) == (expected["sideEffects"] != nil))
    }

    @Test("The success answer is byte for byte the legacy example's shape and key order")
    func byteExactSuccess() {
        let answer = ResponseTranslator(mappings: Fixtures.mappings).translate(
            upstreamStatus: 200,
            body: Array(Self.goldens[0].bulk.utf8),
            issue: Fixtures.mobileIssue
        )
        #expect(
            String(decoding: LegacyJSON.encode(answer.body), as: UTF8.self)
                == #"{"warnings":[],"errors":[],"sideEffects":[{"programId":2750,"issualId":809,"earnedId":764,"promotionId":201436,"type":"Points promotion"}]}"#
        )
    }

    @Test(
        "Answers that are not a one-entity bulk response become the shim's upstream errors",
        arguments: [
            (500, #"{"response":[]}"#, 9912, 502),
            // A 503 is the vendor asking the caller to come back later (with its Retry-After), not a fault.
            (503, "Service Unavailable", 9921, 503),
            (429, "Too Many Requests", 9921, 503),
            (200, "<html>", 9913, 502),
            (200, #"{"errors":[{"code":500}]}"#, 9913, 502),
            (200, #"{"response":[{"errors":"nope","warnings":[]}]}"#, 9913, 502),
            (200, #"{"response":[]}"#, 9914, 502),
            (200, #"{"response":[{"errors":[],"warnings":[]},{"errors":[],"warnings":[]}]}"#, 9914, 502),
        ]
    )
    func unusable(status: Int, body: String, code: Int, legacyStatus: Int) {
        let answer = ResponseTranslator(mappings: Fixtures.mappings).translate(
            upstreamStatus: status,
            body: Array(body.utf8),
            issue: Fixtures.mobileIssue
        )
        #expect(answer.status == legacyStatus)
        #expect(answer.codes == [code])
        #expect(answer.outcome == .upstreamFailure)
        #expect(answer.body.sideEffects == nil)
    }

    @Test("The legacy 11013 example is what a call without query parameters gets")
    func missingParameters() throws {
        let answer = LegacyAnswer(failure: .missingParameters, codes: Fixtures.mappings.codes)
        #expect(answer.status == 400)
        #expect(answer.outcome == .rejected)
        let actual = try #require(Fixtures.object(LegacyJSON.encode(answer.body)))
        let expected = try #require(
            Fixtures.object(
                #"{"warnings":[],"errors":[{"message":"identifierName, identifierValue, source can not be empty","code":11013,"status":false}]}"#
            )
        )
        #expect(actual == expected)
    }

    @Test("A mapping can change the legacy code, status and message of a vendor code")
    func mappingDrivesTranslation() throws {
        var mappings = Fixtures.mappings
        mappings.codes.entity[8892] = CodeMapping(legacyCode: 8874, status: 404, message: "promotion id passed is invalid")
        let answer = ResponseTranslator(mappings: mappings).translate(
            upstreamStatus: 200,
            body: Array(Self.goldens[5].bulk.utf8),
            issue: Fixtures.mobileIssue
        )
        #expect(answer.status == 404)
        #expect(answer.body.errors == [LegacyMessage(code: 8874, message: "promotion id passed is invalid")])
    }
}
