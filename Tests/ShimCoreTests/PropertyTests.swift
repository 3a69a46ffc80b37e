import Foundation
import ShimCore
import Testing

/// Property tests of the translation core over generated inputs (a seeded generator, so a
/// failure reproduces): no input escapes the two documented outcomes.
@Suite("Properties of the translation core")
struct PropertyTests {
    /// SplitMix64: small, fast, reproducible.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let names = ["identifierName", "identifierValue", "source", "type", "accountId", "other", "IDENTIFIERNAME", ""]
    static let values = [
        "mobile", "email", "id", "externalId", "EXTERNALID", "phone", "INSTORE", "instore", "WEBSITE", "CUSTOMER",
        "customer", "", " ", "918888888888", "a@b.c", "%0D%0A", "%FF", "+", "=", "&", "\u{0}", "é", "🙂",
    ]
    static let bodies = [
        #"{"programId":469,"promotionId":65777}"#, #"{"programId":"469","promotionId":"65777"}"#,
        #"{"programId":0,"promotionId":1}"#, #"{"programId":-1,"promotionId":1}"#, #"{"programId":1.5,"promotionId":1}"#,
        #"{"programId":null}"#, #"{}"#, "[]", "", "null", #"{"programId":469,"#,
        #"{"programId":9223372036854775807,"promotionId":1}"#,
        #"{"programId":"x","promotionId":1}"#, #"{"programId":true,"promotionId":false}"#, "\u{FF}\u{FE}",
    ]

    static let identifierNames = ["mobile", "email", "id", "externalId", "EXTERNALID", "phone", "", " "]
    static let sources = ["INSTORE", "instore", "WEBSITE", "MOBILE_APP", "SHOP", "", "%0D%0A"]

    /// A query built around the three mandatory parameters, then mutated: parameters dropped,
    /// duplicated, given odd values, and noise added.
    static func randomQuery(_ generator: inout Generator) -> String {
        var pairs = [
            ("identifierName", identifierNames.randomElement(using: &generator)!),
            ("identifierValue", values.randomElement(using: &generator)!),
            ("source", sources.randomElement(using: &generator)!),
        ]
        if Int.random(in: 0..<4, using: &generator) == 0 { pairs.remove(at: Int.random(in: 0..<pairs.count, using: &generator)) }
        for _ in 0..<Int.random(in: 0...2, using: &generator) {
            pairs.append((names.randomElement(using: &generator)!, values.randomElement(using: &generator)!))
        }
        pairs.shuffle(using: &generator)
        return pairs.map { Bool.random(using: &generator) || !$0.1.isEmpty ? "\($0.0)=\($0.1)" : $0.0 }
            .joined(separator: "&")
    }

    @Test("Any legacy call validates to exactly one well-formed bulk request, or to a local legacy error")
    func everyCallHasOneOutcome() throws {
        var generator = Generator(state: 20_261_124)
        let validator = IssueValidator(mappings: Fixtures.mappings)
        var validated = 0
        for _ in 0..<5000 {
            let query = Self.randomQuery(&generator)
            let body = Self.bodies.randomElement(using: &generator)!
            switch validator.validate(LegacyIssueCall(query: QueryString.parse(query), body: Array(body.utf8))) {
            case .success(let issue):
                validated += 1
                #expect(issue.programId > 0 && issue.promotionId > 0)
                #expect(Fixtures.mappings.sources.names.contains(issue.source))
                let request = BulkRequest(issue: issue, route: Fixtures.mappings.route, customerId: 1)
                let object = try #require(Fixtures.object(LegacyJSON.encode(request)), "query \(query) body \(body)")
                #expect((object["customers"] as? [Any])?.count == 1)
                #expect(["id", "mobile", "email"].contains(object["identifierName"] as? String ?? ""))
            case .failure(let failure):
                #expect(failure.isLocalValidation)
                let answer = LegacyAnswer(failure: failure, codes: Fixtures.mappings.codes)
                #expect(answer.body.errors.count == 1 && answer.body.sideEffects == nil)
                #expect(Fixtures.object(LegacyJSON.encode(answer.body)) != nil)
            }
        }
        // The generator must reach both outcomes, or the property says little.
        #expect(validated > 50)
    }

    static func randomMessage(_ generator: inout Generator) -> String {
        let codes = [1101, 8015, 8874, 8881, 8890, 8892, 8899, 8896, 8901, 8902, 7777, -1, 0]
        let messages = ["x", "", "quote \\\" and \\\\", "line\\nbreak", "ünïcödé"]
        return
            #"{"status":false,"code":\#(codes.randomElement(using: &generator)!),"message":"\#(messages.randomElement(using: &generator)!)"}"#
    }

    @Test("Any bulk response of one entity yields a well-formed legacy answer of the documented shape")
    func everyEntityHasALegacyAnswer() throws {
        var generator = Generator(state: 7)
        let translator = ResponseTranslator(mappings: Fixtures.mappings)
        let ids = [#""809""#, "809", #""A-1""#, "null", #""""#, "1.5", "true"]
        var outcomes = Set<CallOutcome>()
        for _ in 0..<5000 {
            var entity: [String] = []
            if Bool.random(using: &generator) {
                var result = [#""entityType":"CUSTOMER""#, #""entityId":1"#, #""programId":2750"#, #""promotionId":201436"#]
                if Bool.random(using: &generator) { result.append(#""issualId":\#(ids.randomElement(using: &generator)!)"#) }
                if Bool.random(using: &generator) { result.append(#""earnedId":\#(ids.randomElement(using: &generator)!)"#) }
                entity.append(#""result":{\#(result.joined(separator: ","))}"#)
            }
            let errors = (0..<Int.random(in: 0...2, using: &generator)).map { _ in Self.randomMessage(&generator) }
            let warnings = (0..<Int.random(in: 0...2, using: &generator)).map { _ in Self.randomMessage(&generator) }
            entity.append(#""errors":[\#(errors.joined(separator: ","))]"#)
            entity.append(#""warnings":[\#(warnings.joined(separator: ","))]"#)
            let body = #"{"response":[{\#(entity.joined(separator: ","))}],"totalCount":1}"#
            let answer = translator.translate(upstreamStatus: 200, body: Array(body.utf8), issue: Fixtures.mobileIssue)
            outcomes.insert(answer.outcome)
            let object = try #require(Fixtures.object(LegacyJSON.encode(answer.body)), "\(body)")
            #expect(object["warnings"] is [Any] && object["errors"] is [Any])
            switch answer.outcome {
            case .error:
                #expect(object["sideEffects"] == nil && !answer.body.errors.isEmpty && answer.status >= 400)
            case .issued:
                #expect((object["sideEffects"] as? [Any])?.count == 1 && answer.status == 200)
            case .warning:
                #expect((object["sideEffects"] as? [Any])?.isEmpty == true)
            case .rejected, .upstreamFailure, .abandoned, .brownout, .sunset:
                Issue.record("a one-entity bulk response cannot be \(answer.outcome): \(body)")
            }
        }
        #expect(outcomes == [.issued, .warning, .error])
    }
}
