import HTTPTypes
import Hummingbird
import Logging
import NIOCore
public import ShimCore

/// Serves one legacy `POST /v2/promotion/issue`: validate, route, then either send the one-customer
/// bulk call (resolving externalId first) and translate the answer back, or pass the call unchanged
/// to the legacy endpoint (the rollback route). The caller's credentials go upstream, nothing else.
public struct LegacyIssueHandler<U: Upstream>: Sendable {
    public typealias Reply = LegacyCallOutcome.Reply

    public let upstream: U
    public let store: MappingStore
    /// Largest legacy request body accepted; legacy bodies are a few dozen bytes.
    public let maxBodyBytes: Int
    /// Largest upstream answer read on the translation path.
    private let maxUpstreamResponseBytes = 1 << 20
    private let metrics: ShimMetrics?
    private let limiter: ConcurrencyLimiter
    private let coalescer: Coalescer<U>?

    public init(
        upstream: U, store: MappingStore, maxBodyBytes: Int, limiter: ConcurrencyLimiter, metrics: ShimMetrics? = nil,
        coalescer: Coalescer<U>? = nil
    ) {
        self.coalescer = coalescer
        self.upstream = upstream
        self.store = store
        self.maxBodyBytes = maxBodyBytes
        self.limiter = limiter
        self.metrics = metrics
    }

    /// Serves a legacy call. Never throws: every failure has a legacy-shaped answer.
    public func serve(_ request: Request, requestId: String, client: String, remoteAddress: String?, logger: Logger) async
        -> LegacyCallOutcome
    {
        let compiled = store.current
        let codes = compiled.mappings.codes
        let body: [UInt8]
        switch await readBody(request) {
        case .success(let bytes): body = bytes
        case .failure(let failure): return LegacyCallOutcome(reply: .legacy(LegacyAnswer(failure: failure, codes: codes)))
        }
        let call = LegacyIssueCall(query: QueryString.parse(request.uri.query ?? ""), body: body)
        let issue: ValidatedIssue
        switch compiled.validator.validate(call) {
        case .success(let validated): issue = validated
        case .failure(let failure): return LegacyCallOutcome(reply: .legacy(LegacyAnswer(failure: failure, codes: codes)))
        }
        let route = compiled.mappings.routing.decide(client: client, issue: issue)
        let served = await limiter.run { () async -> LegacyCallOutcome in
            var outcome = LegacyCallOutcome(
                reply: .legacy(LegacyAnswer(failure: .upstreamUnreachable, codes: codes)), issue: issue, route: route
            )
            do throws(UpstreamError) {
                if route.target == .legacy {
                    var headers = ProxyHeaders.forwarded(request.headers, remoteAddress: remoteAddress)
                    headers[RequestID.header] = requestId
                    let target = LegacyIssueMiddleware<U>.path + (request.uri.query.map { "?" + $0 } ?? "")
                    let legacyRequest = UpstreamRequest(
                        method: .post, target: target, headers: headers, body: .bytes(ByteBuffer(bytes: body)),
                        retryOnConnectFailure: true
                    )
                    outcome.reply = .relayed(try await exchange(legacyRequest, call: "legacy", outcome: &outcome, logger: logger))
                } else {
                    var headers = ProxyHeaders.credentials(request.headers)
                    headers[RequestID.header] = requestId
                    headers[.accept] = "application/json"
                    outcome.reply = try await translate(
                        issue, route: route, compiled: compiled, headers: headers, outcome: &outcome, logger: logger
                    )
                }
            } catch {
                outcome.reply = .legacy(LegacyAnswer(failure: Self.failure(for: error), codes: codes))
            }
            return outcome
        }
        return served
            ?? LegacyCallOutcome(reply: .legacy(LegacyAnswer(failure: .overloaded, codes: codes)), issue: issue, route: route)
    }

    /// The bulk path: lookup when needed, then the bulk call and its translation.
    private func translate(
        _ issue: ValidatedIssue, route: RouteDecision, compiled: MappingStore.Compiled, headers: HTTPFields,
        outcome: inout LegacyCallOutcome, logger: Logger
    ) async throws(UpstreamError) -> Reply {
        let mappings = compiled.mappings
        var customerId: Int64?
        if issue.identifierMapping == .lookup {
            let target = mappings.route.lookupPath + "?" + QueryString.build(CustomerLookup.query(for: issue))
            let response = try await exchange(
                UpstreamRequest(method: .get, target: target, headers: headers, retryOnConnectFailure: true),
                call: "lookup", outcome: &outcome, logger: logger
            )
            if Self.isAuthenticationRefusal(response.status) { return .relayed(response) }
            if response.status.code >= 500 { return .legacy(LegacyAnswer(failure: .upstreamServerError, codes: mappings.codes)) }
            guard response.status.kind == .successful,
                let id = CustomerLookup.customerId(from: response.body.readableBytesView)
            else {
                return .legacy(LegacyAnswer(failure: .customerNotFound, codes: mappings.codes))
            }
            customerId = id
        }
        var bulkRoute = mappings.route
        if case .bulk(_, let path, let bulkAction) = route.target {
            bulkRoute.path = path
            bulkRoute.bulkAction = bulkAction
        }
        var bulkHeaders = headers
        bulkHeaders[.contentType] = "application/json"
        let bulk = BulkRequest(issue: issue, route: bulkRoute, customerId: customerId)
        if let coalescer, route.coalesce != false {
            let share = await coalescer.submit(
                bulk, path: bulkRoute.path, issue: issue, headers: bulkHeaders, translator: compiled.translator,
                codes: mappings.codes
            )
            outcome.batchId = share.batchId
            outcome.batchSize = share.batchSize
            outcome.upstreamStatus = share.upstreamStatus
            outcome.upstreamLatency = (outcome.upstreamLatency ?? .zero) + (share.upstreamLatency ?? .zero)
            return share.reply
        }
        let response = try await exchange(
            UpstreamRequest(
                method: .post, target: bulkRoute.path, headers: bulkHeaders,
                body: .bytes(ByteBuffer(bytes: LegacyJSON.encode(bulk))),
                // A failed connect sent nothing; any later failure is never retried (it could issue twice).
                retryOnConnectFailure: true
            ),
            call: "bulk", outcome: &outcome, logger: logger
        )
        if Self.isAuthenticationRefusal(response.status) { return .relayed(response) }
        return .legacy(
            compiled.translator.translate(upstreamStatus: response.status.code, body: response.body.readableBytesView, issue: issue)
        )
    }

    /// Sends one upstream exchange, accounting its status and latency in `outcome`.
    private func exchange(
        _ request: UpstreamRequest, call: String, outcome: inout LegacyCallOutcome, logger: Logger
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
