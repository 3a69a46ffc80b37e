/// Every way a legacy call can fail before or around the vendor's own answer. Each has a legacy
/// code, HTTP status and message in `codes.yaml` under `local`.
public enum LegacyFailure: String, Error, Sendable, CaseIterable, Hashable {
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
    /// The upstream could not be connected to, or dropped the connection.
    case upstreamUnreachable
    /// The upstream did not answer in time.
    case upstreamTimeout
    /// The upstream answered with a 5xx status.
    case upstreamServerError
    /// The upstream answered something that is not a bulk response.
    case upstreamInvalidResponse
    /// The upstream answered a bulk response with another number of entities than customers sent.
    case upstreamEntityCountMismatch
    /// Too many calls are already waiting on the upstream; the caller should retry later.
    case overloaded

    /// Whether the failure is decided locally, before the vendor is asked (usage outcome `rejected`).
    public var isLocalValidation: Bool {
        switch self {
        case .missingParameters, .invalidEntityType, .invalidProgramId, .invalidPromotionId, .unknownIdentifierName,
            .unknownSource, .duplicateParameter, .malformedBody, .bodyTooLarge:
            return true
        case .customerNotFound, .upstreamUnreachable, .upstreamTimeout, .upstreamServerError, .upstreamInvalidResponse,
            .upstreamEntityCountMismatch, .overloaded:
            return false
        }
    }
}
