/// Translates the vendor's bulk answer into the legacy answer, code for code, driven by the code table.
package struct ResponseTranslator: Sendable {
    /// The code table that decides legacy codes and statuses.
    package let codes: CodeTable
    /// The constant `type` of every `sideEffects` entry.
    package let sideEffectType: String

    /// A translator for the code table and side-effect type of `mappings`.
    package init(mappings: MappingSet) {
        self.codes = mappings.codes
        self.sideEffectType = mappings.route.sideEffectType
    }

    /// Translates a whole upstream answer to a one-customer bulk call.
    ///
    /// Authentication failures (401/403) are relayed by the HTTP layer before this is called.
    package func translate(upstreamStatus: Int, body: some Collection<UInt8>, issue: ValidatedIssue) -> LegacyAnswer {
        translate(upstreamStatus: upstreamStatus, body: body, issues: [issue])[0]
    }

    /// Translates a whole upstream answer to a bulk call that carried one customer per issue, in
    /// order: one legacy answer per issue. The one path from a bulk answer to legacy answers, for a
    /// single call (a batch of one) and a coalesced batch alike.
    ///
    /// - Parameter retryAfter: The vendor's `Retry-After`, relayed when it answered 429 or 503.
    package func translate(
        upstreamStatus: Int, body: some Collection<UInt8>, issues: [ValidatedIssue], retryAfter: String? = nil
    ) -> [LegacyAnswer] {
        func all(_ failure: LegacyFailure) -> [LegacyAnswer] {
            var answer = LegacyAnswer(failure: failure, codes: codes)
            if failure == .upstreamBusy { answer.retryAfter = retryAfter }
            return Array(repeating: answer, count: issues.count)
        }
        if upstreamStatus == 429 || upstreamStatus == 503 { return all(.upstreamBusy) }
        if upstreamStatus >= 500 { return all(.upstreamServerError) }
        guard let response = BulkResponse(body: body) else { return all(.upstreamInvalidResponse) }
        guard response.entities.count == issues.count else { return all(.upstreamEntityCountMismatch) }
        // The vendor answers in the order of `customers`: entity i is issue i's.
        return zip(response.entities, issues).map { answer(for: $0, issue: $1) }
    }

    /// The legacy answer for one processed customer.
    package func answer(for entity: BulkResponse.Entity, issue: ValidatedIssue) -> LegacyAnswer {
        let warnings = entity.warnings.map(legacyMessage)
        if let firstError = entity.errors.first {
            // A code mapped to a success status (a warning code such as 8890) cannot make an error answer 2xx.
            let mapped = codes.entity[firstError.code]?.status ?? codes.defaultErrorStatus
            return LegacyAnswer(
                status: mapped >= 400 ? mapped : codes.defaultErrorStatus,
                body: LegacyResponse(warnings: warnings, errors: entity.errors.map(legacyMessage)),
                outcome: .error
            )
        }
        let sideEffects = entity.result.flatMap { sideEffect(from: $0, issue: issue) }.map { [$0] } ?? []
        let body = LegacyResponse(warnings: warnings, errors: [], sideEffects: sideEffects)
        if sideEffects.isEmpty {
            let status = entity.warnings.first.flatMap { codes.entity[$0.code]?.status } ?? codes.warningStatus
            return LegacyAnswer(status: status, body: body, outcome: .warning)
        }
        return LegacyAnswer(status: codes.successStatus, body: body, outcome: .issued)
    }

    private func legacyMessage(_ message: LegacyMessage) -> LegacyMessage {
        guard let mapping = codes.entity[message.code] else { return message }
        return LegacyMessage(code: mapping.legacyCode, message: mapping.message ?? message.message)
    }

    /// The side effect of an issued promotion; `nil` when the result carries no issual or earned id
    /// (the vendor's "not issued" answer).
    private func sideEffect(from result: JSONValue, issue: ValidatedIssue) -> SideEffect? {
        let issualId = Self.identifier(result["issualId"])
        let earnedId = Self.identifier(result["earnedId"])
        guard issualId != nil || earnedId != nil else { return nil }
        return SideEffect(
            programId: result["programId"]?.int64Value ?? issue.programId,
            issualId: issualId,
            earnedId: earnedId,
            promotionId: result["promotionId"]?.int64Value ?? issue.promotionId,
            type: sideEffectType
        )
    }

    /// A vendor id as the legacy integer, or as the vendor's string when it is not a number.
    private static func identifier(_ value: JSONValue?) -> JSONValue? {
        switch value {
        case .none, .null?: return nil
        case let value?:
            if let number = value.int64Value { return .integer(number) }
            if let text = value.stringValue, !text.isEmpty { return .string(text) }
            return nil
        }
    }
}
