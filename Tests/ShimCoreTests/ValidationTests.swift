import ShimCore
import Testing

/// Local validation, in the legacy API's order and with its codes.
@Suite("Validating legacy calls")
struct ValidationTests {
    static let validQuery = "identifierName=mobile&identifierValue=918888888888&source=INSTORE"
    static let validBody = #"{"programId":469,"promotionId":65777}"#

    static func validate(_ query: String, _ body: String) -> Result<ValidatedIssue, LegacyFailure> {
        IssueValidator(mappings: Fixtures.mappings).validate(
            LegacyIssueCall(query: QueryString.parse(query), body: Array(body.utf8))
        )
    }

    @Test(
        "Each invalid call fails with its legacy failure",
        arguments: [
            ("identifierValue=1&source=INSTORE", validBody, LegacyFailure.missingParameters),
            ("identifierName=mobile&source=INSTORE", validBody, .missingParameters),
            ("identifierName=mobile&identifierValue=1", validBody, .missingParameters),
            ("identifierName=mobile&identifierValue=%20%20&source=INSTORE", validBody, .missingParameters),
            ("identifierName=&identifierValue=1&source=INSTORE", validBody, .missingParameters),
            ("", validBody, .missingParameters),
            (validQuery + "&type=POINTS", validBody, .invalidEntityType),
            ("identifierName=phone&identifierValue=1&source=INSTORE", validBody, .unknownIdentifierName),
            ("identifierName=mobile&identifierValue=1&source=SHOP", validBody, .unknownSource),
            (validQuery + "&source=WEBSITE", validBody, .duplicateParameter),
            (validQuery, "", .malformedBody),
            (validQuery, "[469, 65777]", .malformedBody),
            (validQuery, #"{"programId":469,"#, .malformedBody),
            (validQuery, #"{"promotionId":65777}"#, .invalidProgramId),
            (validQuery, #"{"programId":"abc","promotionId":65777}"#, .invalidProgramId),
            (validQuery, #"{"programId":true,"promotionId":65777}"#, .invalidProgramId),
            (validQuery, #"{"programId":469.5,"promotionId":65777}"#, .invalidProgramId),
            (validQuery, #"{"programId":0,"promotionId":65777}"#, .invalidProgramId),
            (validQuery, #"{"programId":-469,"promotionId":65777}"#, .invalidProgramId),
            (validQuery, #"{"programId":null,"promotionId":65777}"#, .invalidProgramId),
            (validQuery, #"{"programId":469}"#, .invalidPromotionId),
            (validQuery, #"{"programId":469,"promotionId":"x"}"#, .invalidPromotionId),
            (validQuery, #"{"programId":469,"promotionId":99999999999999999999}"#, .invalidPromotionId),
        ]
    )
    func invalid(query: String, body: String, failure: LegacyFailure) {
        #expect(Self.validate(query, body) == .failure(failure))
    }

    @Test("Query problems are reported before body field problems, a malformed body first of all")
    func order() {
        #expect(Self.validate("identifierName=mobile", #"{"programId":"x"}"#) == .failure(.missingParameters))
        #expect(Self.validate("identifierName=mobile", "not json") == .failure(.malformedBody))
        #expect(Self.validate(Self.validQuery + "&type=X", #"{}"#) == .failure(.invalidEntityType))
    }

    @Test("A valid call keeps every field, normalising spellings")
    func valid() throws {
        let issue = try Self.validate(
            "identifierName=EXTERNALID&identifierValue=EXT+1%2F2&source=instore&type=customer&accountId=ACC-9",
            #"{"programId":"469","promotionId":65777.0}"#
        ).get()
        #expect(issue.identifierName == "externalId")
        #expect(issue.identifierMapping == .lookup)
        #expect(issue.identifierValue == "EXT 1/2")
        #expect(issue.source == "INSTORE")
        #expect(issue.accountId == "ACC-9")
        #expect(issue.programId == 469)
        #expect(issue.promotionId == 65777)
    }

    @Test("Unrelated query parameters are ignored, even when repeated")
    func unrelatedParameters() throws {
        let issue = try Self.validate(Self.validQuery + "&debug=1&debug=2", Self.validBody).get()
        #expect(issue.identifierMapping == .bulk("mobile"))
    }

    @Test(
        "Every one of the eleven legacy sources is accepted",
        arguments: [
            "FACEBOOK", "WEB_ENGAGE", "INSTORE", "MARTJACK", "TMALL", "TAOBAO", "JD", "ECOMMERCE", "WEBSITE", "LINE",
            "MOBILE_APP",
        ])
    func sources(source: String) throws {
        let issue = try Self.validate("identifierName=id&identifierValue=1&source=\(source)", Self.validBody).get()
        #expect(issue.source == source)
    }

    @Test("What can be read of a refused call: positive ids, a known source and identifier name, never the value")
    func readableFields() {
        let validator = IssueValidator(mappings: Fixtures.mappings)
        func read(_ query: String, _ body: String) -> ReadableIssueFields {
            validator.readableFields(of: LegacyIssueCall(query: QueryString.parse(query), body: Array(body.utf8)))
        }
        #expect(
            read(Self.validQuery + "&type=ORGANIZATION", Self.validBody)
                == ReadableIssueFields(programId: 469, promotionId: 65777, source: "INSTORE", identifierName: "mobile")
        )
        #expect(
            read("identifierName=phone&source=NOWHERE", #"{"programId":-1,"promotionId":7}"#)
                == ReadableIssueFields(promotionId: 7))
        #expect(read("source=instore", "not json") == ReadableIssueFields(source: "INSTORE"))
    }
}
