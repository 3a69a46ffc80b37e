import HTTPTypes
import Hummingbird
import Logging
import NIOCore
public import ShimCore

/// Serves one legacy `POST /v2/promotion/issue`: validate, resolve externalId, send the one-customer
/// bulk call with the caller's credentials, translate the answer back.
public struct LegacyIssueHandler<U: Upstream>: Sendable {
    /// What the caller gets: a legacy answer, or the upstream's authentication refusal as it came.
    public enum Reply: Sendable {
        case legacy(LegacyAnswer)
        case relayed(BufferedUpstreamResponse)
    }

    public let upstream: U
    public let mappings: MappingSet
    /// Largest legacy request body accepted; legacy bodies are a few dozen bytes.
    public let maxBodyBytes: Int
    private let validator: IssueValidator
    private let translator: ResponseTranslator
    /// Largest upstream answer read on the translation path.
    private let maxUpstreamResponseBytes = 1 << 20

    public init(upstream: U, mappings: MappingSet, maxBodyBytes: Int) {
        self.upstream = upstream
        self.mappings = mappings
        self.maxBodyBytes = maxBodyBytes
        self.validator = IssueValidator(mappings: mappings)
        self.translator = ResponseTranslator(mappings: mappings)
    }

    /// Answers a legacy call. Never throws: every failure has a legacy-shaped answer.
    public func reply(to request: Request, logger: Logger) async -> Reply {
        let body: [UInt8]
        switch await readBody(request) {
        case .success(let bytes): body = bytes
        case .failure(let failure): return .legacy(LegacyAnswer(failure: failure, codes: mappings.codes))
        }
        let call = LegacyIssueCall(query: QueryString.parse(request.uri.query ?? ""), body: body)
        let issue: ValidatedIssue
        switch validator.validate(call) {
        case .success(let validated): issue = validated
        case .failure(let failure): return .legacy(LegacyAnswer(failure: failure, codes: mappings.codes))
        }
        let credentials = ProxyHeaders.credentials(request.headers)
        do throws(UpstreamError) {
            var customerId: Int64?
            if issue.identifierMapping == .lookup {
                switch try await lookUpCustomer(issue, credentials: credentials, logger: logger) {
                case .found(let id): customerId = id
                case .answered(let reply): return reply
                }
            }
            return try await issuePromotion(issue, customerId: customerId, credentials: credentials, logger: logger)
        } catch {
            return .legacy(LegacyAnswer(failure: Self.failure(for: error), codes: mappings.codes))
        }
    }

    private func readBody(_ request: Request) async -> Result<[UInt8], LegacyFailure> {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > maxBodyBytes {
            return .failure(.bodyTooLarge)
        }
        do {
            let buffer = try await request.body.collect(upTo: maxBodyBytes)
            return .success(Array(buffer.readableBytesView))
        } catch is NIOTooManyBytesError {
            return .failure(.bodyTooLarge)
        } catch {
            return .failure(.malformedBody)
        }
    }

    /// The end of a customer lookup: the customer id, or the answer the call ends with.
    private enum LookupResult {
        case found(Int64)
        case answered(Reply)
    }

    private func lookUpCustomer(_ issue: ValidatedIssue, credentials: HTTPFields, logger: Logger)
        async throws(UpstreamError) -> LookupResult
    {
        var headers = credentials
        headers[.accept] = "application/json"
        let target = mappings.route.lookupPath + "?" + QueryString.build(CustomerLookup.query(for: issue))
        let response = try await upstream.exchange(
            UpstreamRequest(method: .get, target: target, headers: headers),
            maxResponseBytes: maxUpstreamResponseBytes,
            logger: logger
        )
        if Self.isAuthenticationRefusal(response.status) { return .answered(.relayed(response)) }
        if response.status.code >= 500 {
            return .answered(.legacy(LegacyAnswer(failure: .upstreamServerError, codes: mappings.codes)))
        }
        guard response.status.kind == .successful,
            let id = CustomerLookup.customerId(from: response.body.readableBytesView)
        else {
            return .answered(.legacy(LegacyAnswer(failure: .customerNotFound, codes: mappings.codes)))
        }
        return .found(id)
    }

    private func issuePromotion(_ issue: ValidatedIssue, customerId: Int64?, credentials: HTTPFields, logger: Logger)
        async throws(UpstreamError) -> Reply
    {
        var headers = credentials
        headers[.contentType] = "application/json"
        headers[.accept] = "application/json"
        let bulk = BulkRequest(issue: issue, route: mappings.route, customerId: customerId)
        let response = try await upstream.exchange(
            UpstreamRequest(
                method: .post,
                target: mappings.route.path,
                headers: headers,
                body: .bytes(ByteBuffer(bytes: LegacyJSON.encode(bulk)))
            ),
            maxResponseBytes: maxUpstreamResponseBytes,
            logger: logger
        )
        if Self.isAuthenticationRefusal(response.status) { return .relayed(response) }
        return .legacy(
            translator.translate(
                upstreamStatus: response.status.code,
                body: response.body.readableBytesView,
                issue: issue
            )
        )
    }

    private static func isAuthenticationRefusal(_ status: HTTPResponse.Status) -> Bool {
        status == .unauthorized || status == .forbidden
    }

    static func failure(for error: UpstreamError) -> LegacyFailure {
        switch error {
        case .timeout: return .upstreamTimeout
        case .responseTooLarge: return .upstreamInvalidResponse
        default: return .upstreamUnreachable
        }
    }
}
