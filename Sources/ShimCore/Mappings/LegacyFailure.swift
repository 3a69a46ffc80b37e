/// Every way a legacy call can fail before or around the vendor's own answer. Each has a legacy
/// code, HTTP status and message in `codes.yaml` under `local`.
package enum LegacyFailure: String, Error, Sendable, CaseIterable, Hashable {
    /// identifierName, identifierValue or source missing or empty (legacy 11013).
    case missingParameters
    /// `type` other than CUSTOMER (legacy 1212).
    case invalidEntityType
    /// programId missing or not a number (legacy 1101).
    case invalidProgramId
    /// promotionId missing or not a number (legacy 8874).
    case invalidPromotionId
    /// identifierName not one of the legacy names.
    case unknownIdentifierName
    /// source not one of the legacy sources.
    case unknownSource
    /// A query parameter the legacy call defines was given more than once.
    case duplicateParameter
    /// The body is not a JSON object.
    case malformedBody
    /// The body is larger than the legacy endpoint accepts.
    case bodyTooLarge
    /// The externalId lookup found no customer (legacy 8015).
    case customerNotFound
    /// The upstream could not be connected to (refused, or the connect timed out): nothing was sent.
    case upstreamUnreachable
    /// The upstream did not answer in time after the call was sent.
    case upstreamTimeout
    /// The upstream answered with a 5xx status.
    case upstreamServerError
    /// The upstream answered something that is not a bulk response.
    case upstreamInvalidResponse
    /// The upstream answered a bulk response with another number of entities than customers sent.
    case upstreamEntityCountMismatch
    /// Too many calls are already waiting on the upstream; the caller should retry later.
    case overloaded
    /// The connection failed after the call may have been sent (closed, reset, an answer that is not
    /// HTTP or cut short): the vendor may have the call.
    case upstreamConnectionLost
    /// The call's deadline passed before it could be sent (waiting for a slot, a connection or a
    /// batch): nothing was sent.
    case notSentInTime
    /// The customer lookup failed at the vendor (5xx, an answer that is not a lookup result): nothing
    /// was issued, and the caller may retry.
    case customerLookupFailed
    /// The vendor asked the caller to come back later (HTTP 429 or 503); its `Retry-After` is relayed.
    case upstreamBusy
    /// The caller closed its connection before the call was sent; nothing was sent. Nobody reads the
    /// answer: it exists for the usage record.
    case callerGone
    /// An enforcing brownout window of `deprecation.yaml` is open for this caller; nothing was sent.
    case brownout
    /// The sunset date has passed and `deprecation.yaml` says to reject; nothing was sent.
    case sunset

    /// How a call that ends in this failure is counted in the usage log and metrics.
    package var outcome: CallOutcome {
        switch self {
        case _ where isLocalValidation: return .rejected
        case .customerNotFound: return .error
        case .callerGone: return .abandoned
        case .brownout: return .brownout
        case .sunset: return .sunset
        default: return .upstreamFailure
        }
    }

    /// Whether the vendor may have the call although the answer is a failure: the answer says "may or
    /// may not have been issued", and the call is one operations reconcile with the vendor.
    /// ``upstreamBusy`` counts as the bulk call's (may or may not); a busy customer lookup sent
    /// nothing, and its answer says so.
    package var mayHaveBeenIssued: Bool {
        switch self {
        case .upstreamTimeout, .upstreamServerError, .upstreamInvalidResponse, .upstreamEntityCountMismatch,
            .upstreamConnectionLost, .upstreamBusy:
            return true
        default:
            return false
        }
    }

    /// Whether the failure is decided locally, before the vendor is asked (usage outcome `rejected`).
    package var isLocalValidation: Bool {
        switch self {
        case .missingParameters, .invalidEntityType, .invalidProgramId, .invalidPromotionId, .unknownIdentifierName,
            .unknownSource, .duplicateParameter, .malformedBody, .bodyTooLarge:
            return true
        case .customerNotFound, .upstreamUnreachable, .upstreamTimeout, .upstreamServerError, .upstreamInvalidResponse,
            .upstreamEntityCountMismatch, .overloaded, .upstreamConnectionLost, .notSentInTime, .customerLookupFailed,
            .upstreamBusy, .callerGone, .brownout, .sunset:
            return false
        }
    }

    /// The answer used when `codes.yaml` has no entry for this failure: the failures added after the
    /// first published table have one, so an operator's older table keeps loading.
    package var builtInTemplate: ErrorTemplate? {
        Self.builtInTemplates[self]
    }

    private static let builtInTemplates: [LegacyFailure: ErrorTemplate] = [
        .upstreamConnectionLost: ErrorTemplate(
            code: 9915, status: 502,
            message: "promotion service connection failed after the call was sent; the promotion may or may not have been issued"
        ),
        .notSentInTime: ErrorTemplate(
            code: 9916, status: 504,
            message: "promotion shim could not send the call in time; the promotion was not issued, retry later"
        ),
        .customerLookupFailed: ErrorTemplate(
            code: 9917, status: 502,
            message: "customer lookup failed at the promotion service; the promotion was not issued, retry later"
        ),
        .upstreamBusy: ErrorTemplate(
            code: 9921, status: 503,
            message: "promotion service is busy (rate limit or maintenance); retry after the Retry-After delay"
        ),
        .callerGone: ErrorTemplate(
            code: 9918, status: 499,
            message: "caller closed the connection before the call was sent; the promotion was not issued"
        ),
        .brownout: ErrorTemplate(
            code: 9930, status: 410,
            message:
                "this endpoint is in a scheduled brownout before its sunset; the promotion was not issued. Move to the bulk API (see the Link header); retry after the Retry-After delay"
        ),
        .sunset: ErrorTemplate(
            code: 9931, status: 410,
            message:
                "this endpoint has passed its sunset date and is gone; the promotion was not issued. Use the bulk API (see the Link header)"
        ),
    ]
}
