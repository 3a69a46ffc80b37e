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

    /// A served call: the reply and what the usage log needs to know about it.
    public struct Outcome: Sendable {
        public var reply: Reply
        /// The validated call; `nil` when validation refused it.
        public var issue: ValidatedIssue?
        /// Status of the last upstream answer, if any arrived.
        public var upstreamStatus: Int?
        /// Time spent waiting on the upstream (lookup and bulk call together).
        public var upstreamLatency: Duration?

        /// How the call ended, for the usage log and metrics.
        public var callOutcome: CallOutcome {
            switch reply {
            case .legacy(let answer): return answer.outcome
            case .relayed: return .error
            }
        }

        /// The legacy codes of the answer.
        public var codes: [Int] {
            switch reply {
            case .legacy(let answer): return answer.codes
            case .relayed: return []
            }
        }
    }

    public let upstream: U
    public let mappings: MappingSet
    /// Largest legacy request body accepted; legacy bodies are a few dozen bytes.
    public let maxBodyBytes: Int
    private let validator: IssueValidator
    private let translator: ResponseTranslator
    /// Largest upstream answer read on the translation path.
    private let maxUpstreamResponseBytes = 1 << 20

    private let metrics: ShimMetrics?
    private let limiter: ConcurrencyLimiter

    public init(
        upstream: U, mappings: MappingSet, maxBodyBytes: Int, limiter: ConcurrencyLimiter, metrics: ShimMetrics? = nil
    ) {
        self.upstream = upstream
        self.limiter = limiter
        self.metrics = metrics
        self.mappings = mappings
        self.maxBodyBytes = maxBodyBytes
        self.validator = IssueValidator(mappings: mappings)
        self.translator = ResponseTranslator(mappings: mappings)
    }

    /// Serves a legacy call. Never throws: every failure has a legacy-shaped answer.
    public func serve(_ request: Request, requestId: String, logger: Logger) async -> Outcome {
        let body: [UInt8]
        switch await readBody(request) {
        case .success(let bytes): body = bytes
        case .failure(let failure): return Outcome(reply: .legacy(LegacyAnswer(failure: failure, codes: mappings.codes)))
        }
        let call = LegacyIssueCall(query: QueryString.parse(request.uri.query ?? ""), body: body)
        let issue: ValidatedIssue
        switch validator.validate(call) {
        case .success(let validated): issue = validated
        case .failure(let failure): return Outcome(reply: .legacy(LegacyAnswer(failure: failure, codes: mappings.codes)))
        }
        var headers = ProxyHeaders.credentials(request.headers)
        headers[RequestID.header] = requestId
        headers[.accept] = "application/json"
        let served = await limiter.run { await callUpstream(issue, headers: headers, logger: logger) }
        return served ?? Outcome(reply: .legacy(LegacyAnswer(failure: .overloaded, codes: mappings.codes)), issue: issue)
    }

    /// The upstream part of a call: lookup when needed, then the bulk call and its translation.
    private func callUpstream(_ issue: ValidatedIssue, headers: HTTPFields, logger: Logger) async -> Outcome {
        var outcome = Outcome(reply: .legacy(LegacyAnswer(failure: .upstreamUnreachable, codes: mappings.codes)), issue: issue)
        do throws(UpstreamError) {
            var customerId: Int64?
            if issue.identifierMapping == .lookup {
                switch try await lookUpCustomer(issue, headers: headers, outcome: &outcome, logger: logger) {
                case .found(let id): customerId = id
                case .answered(let reply):
                    outcome.reply = reply
                    return outcome
                }
            }
            outcome.reply = try await issuePromotion(
                issue, customerId: customerId, headers: headers, outcome: &outcome, logger: logger
            )
        } catch {
            outcome.reply = .legacy(LegacyAnswer(failure: Self.failure(for: error), codes: mappings.codes))
        }
        return outcome
    }

    /// Sends one upstream exchange, accounting its status and latency in `outcome`.
    private func exchange(
        _ request: UpstreamRequest, call: String, outcome: inout Outcome, logger: Logger
    ) async throws(UpstreamError) -> BufferedUpstreamResponse {
        let started = ContinuousClock.now
        defer {
            let elapsed = ContinuousClock.now - started
            outcome.upstreamLatency = (outcome.upstreamLatency ?? .zero) + elapsed
            metrics?.recordUpstreamLatency(elapsed, call: call)
        }
        let response = try await upstream.exchange(request, maxResponseBytes: maxUpstreamResponseBytes, logger: logger)
        outcome.upstreamStatus = response.status.code
        return response
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

    private func lookUpCustomer(_ issue: ValidatedIssue, headers: HTTPFields, outcome: inout Outcome, logger: Logger)
        async throws(UpstreamError) -> LookupResult
    {
        let target = mappings.route.lookupPath + "?" + QueryString.build(CustomerLookup.query(for: issue))
        let response = try await exchange(
            UpstreamRequest(method: .get, target: target, headers: headers, retryOnConnectFailure: true),
            call: "lookup",
            outcome: &outcome,
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

    private func issuePromotion(
        _ issue: ValidatedIssue, customerId: Int64?, headers: HTTPFields, outcome: inout Outcome, logger: Logger
    ) async throws(UpstreamError) -> Reply {
        var headers = headers
        headers[.contentType] = "application/json"
        let bulk = BulkRequest(issue: issue, route: mappings.route, customerId: customerId)
        let response = try await exchange(
            UpstreamRequest(
                method: .post,
                target: mappings.route.path,
                headers: headers,
                body: .bytes(ByteBuffer(bytes: LegacyJSON.encode(bulk))),
                // A failed connect sent nothing; any later failure is never retried (it could issue twice).
                retryOnConnectFailure: true
            ),
            call: "bulk",
            outcome: &outcome,
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
