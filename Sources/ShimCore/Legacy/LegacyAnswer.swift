/// How a legacy call ended, for the usage record and metrics.
package enum CallOutcome: String, Sendable, CaseIterable {
    /// The promotion was issued.
    case issued
    /// The vendor answered warnings only, e.g. 8890 (limits or configuration).
    case warning
    /// Local validation refused the call; the vendor was not asked.
    case rejected
    /// The vendor answered an entity error.
    case error
    /// The vendor could not be reached or answered something unusable.
    case upstreamFailure = "upstream_failure"
    /// The caller left before the call was sent; nothing was sent.
    case abandoned
    /// Refused by an enforcing brownout window of `deprecation.yaml`; the vendor was not asked.
    case brownout
    /// Refused because the sunset date has passed (`afterSunset.action: reject`); the vendor was not asked.
    case sunset
}

/// A complete legacy answer: HTTP status, body and how the call ended.
package struct LegacyAnswer: Sendable {
    /// The HTTP status of the legacy answer.
    package var status: Int
    /// The legacy body sent to the caller.
    package var body: LegacyResponse
    /// How the call ended, for the usage record and metrics.
    package var outcome: CallOutcome
    /// A `Retry-After` value to send with the answer (the vendor's, relayed on a 429/503).
    package var retryAfter: String?
    /// Whether the vendor may have issued the promotion although the answer is a failure (a timeout
    /// or a failure after the call was sent): the calls operations reconcile with the vendor.
    package var mayHaveBeenIssued: Bool

    /// An answer as given; `mayHaveBeenIssued` defaults to `false`.
    package init(
        status: Int, body: LegacyResponse, outcome: CallOutcome, retryAfter: String? = nil, mayHaveBeenIssued: Bool = false
    ) {
        self.status = status
        self.body = body
        self.outcome = outcome
        self.retryAfter = retryAfter
        self.mayHaveBeenIssued = mayHaveBeenIssued
    }

    /// The legacy codes of the answer, errors first, for logs and metrics.
    package var codes: [Int] {
        body.errors.map(\.code) + body.warnings.map(\.code)
    }

    /// The answer to a failure of the shim's own.
    package init(failure: LegacyFailure, codes: CodeTable) {
        let template = codes.template(for: failure)
        self.init(
            status: template.status,
            body: .error(code: template.code, message: template.message),
            outcome: failure.outcome,
            mayHaveBeenIssued: failure.mayHaveBeenIssued
        )
    }
}
