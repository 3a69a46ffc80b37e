import HTTPTypes
import Instrumentation
package import Logging
package import NIOCore
import ShimCore
import Tracing

/// Serves one legacy `POST /v2/promotion/issue`: validate, route, then either send the one-customer
/// bulk call (resolving externalId first) and translate the answer back, or pass the call unchanged
/// to the legacy endpoint (the rollback route). The caller's credentials go upstream, nothing else.
package struct LegacyIssueHandler<U: Upstream>: Sendable {
    /// What the caller gets: a legacy answer, or an upstream answer relayed as it came.
    package typealias Reply = LegacyCallOutcome.Reply

    /// The vendor's API: lookups, bulk calls and, on the rollback route, the legacy endpoint.
    package let upstream: U
    /// The mappings in force; a call reads one set, once, when it is served.
    package let store: MappingStore
    /// Largest legacy request body accepted (the proxy listener reads no more); legacy bodies are a
    /// few dozen bytes.
    package let maxBodyBytes: Int
    /// Largest upstream answer read on the translation path.
    private let maxUpstreamResponseBytes = 1 << 20
    private let metrics: ShimMetrics?
    private let limiter: ConcurrencyLimiter
    private let coalescer: Coalescer<U>?

    /// The one deadline of a legacy call, counted from its arrival: waiting for a slot, a batch or
    /// a connection and the upstream exchanges all fit in it.
    package let requestTimeout: TimeAmount
    /// The time of day the brownout table and the sunset date are read against.
    package let clock: WallClock

    /// A handler that sends calls to `upstream` under the mappings in `store`.
    /// - Parameters:
    ///   - limiter: Bounds the upstream calls running and queued; a call it refuses is answered at once.
    ///   - coalescer: Batches calls into shared bulk calls; `nil` sends every call on its own.
    ///   - requestTimeout: The deadline of a call, from its arrival.
    package init(
        upstream: U, store: MappingStore, maxBodyBytes: Int, limiter: ConcurrencyLimiter, metrics: ShimMetrics? = nil,
        coalescer: Coalescer<U>? = nil, requestTimeout: TimeAmount = .seconds(15), clock: WallClock = .system
    ) {
        self.clock = clock
        self.coalescer = coalescer
        self.upstream = upstream
        self.store = store
        self.maxBodyBytes = maxBodyBytes
        self.limiter = limiter
        self.metrics = metrics
        self.requestTimeout = requestTimeout
    }

    /// Serves a legacy call. Never throws: every failure has a legacy-shaped answer.
    ///
    /// A call that is still waiting (for a slot, a batch or a connection) at its deadline is answered
    /// "not issued" and never sent; so is a call whose task is cancelled (its caller left) before it
    /// is sent. Once sent, a call runs to its answer or its deadline, whatever the caller does, so
    /// its usage record tells what the vendor did.
    ///
    /// Before anything else, `deprecation.yaml` is asked about the call: inside an enforcing
    /// brownout window, or after the sunset date with `reject`, the call is answered 410 and
    /// nothing is sent; in a dry run it is served and marked (``LegacyCallOutcome/wouldReject``).
    /// - Parameter receivedAt: When the call arrived, in milliseconds since the epoch (``clock``'s time).
    package func serve(
        _ request: LegacyIssueRequest, requestId: String, client: String, arrived: NIODeadline = .now(),
        receivedAt: Int64? = nil, logger: Logger
    ) async -> LegacyCallOutcome {
        let compiled = store.current
        let now = receivedAt ?? clock.milliseconds()
        switch compiled.mappings.deprecation.verdict(client: client, at: now, sunset: compiled.sunset) {
        case .serve:
            return await serveAllowed(
                request, requestId: requestId, client: client, arrived: arrived, compiled: compiled, logger: logger)
        case .refuse(let refusal):
            return Self.refused(request, refusal: refusal, now: now, compiled: compiled)
        case .wouldRefuse(let refusal):
            var outcome = await serveAllowed(
                request, requestId: requestId, client: client, arrived: arrived, compiled: compiled, logger: logger
            )
            outcome.wouldReject = refusal.outcome
            return outcome
        }
    }

    /// The answer to a call the deprecation table refuses: 410, nothing sent, and a usage record
    /// with whatever the call said that validation can read. A brownout's answer says when to retry.
    static func refused(
        _ request: LegacyIssueRequest, refusal: DeprecationSchedule.Refusal, now: Int64, compiled: MappingStore.Compiled
    ) -> LegacyCallOutcome {
        var answer: LegacyAnswer
        switch refusal {
        case .brownout(let end):
            answer = LegacyAnswer(failure: .brownout, codes: compiled.mappings.codes)
            // Whole seconds, rounded up: a caller retrying then finds the window closed.
            answer.retryAfter = String(max(1, (end - now + 999) / 1000))
        case .sunset:
            answer = LegacyAnswer(failure: .sunset, codes: compiled.mappings.codes)
        }
        var outcome = LegacyCallOutcome(reply: .legacy(answer))
        guard case .bytes(let bytes) = request.body else { return outcome }
        let call = LegacyIssueCall(query: QueryString.parse(Substring(request.query ?? "")), body: Array(bytes.readableBytesView))
        switch compiled.validator.validate(call) {
        case .success(let issue): outcome.issue = issue
        case .failure: outcome.readable = compiled.validator.readableFields(of: call)
        }
        return outcome
    }

    private func serveAllowed(
        _ request: LegacyIssueRequest, requestId: String, client: String, arrived: NIODeadline,
        compiled: MappingStore.Compiled, logger: Logger
    ) async -> LegacyCallOutcome {
        let deadline = arrived + requestTimeout
        let codes = compiled.mappings.codes
        let body: [UInt8]
        switch request.body {
        case .bytes(let bytes): body = Array(bytes.readableBytesView)
        case .tooLarge: return LegacyCallOutcome(reply: .legacy(LegacyAnswer(failure: .bodyTooLarge, codes: codes)))
        case .unreadable: return LegacyCallOutcome(reply: .legacy(LegacyAnswer(failure: .malformedBody, codes: codes)))
        }
        let call = LegacyIssueCall(query: QueryString.parse(Substring(request.query ?? "")), body: body)
        let issue: ValidatedIssue
        switch compiled.validator.validate(call) {
        case .success(let validated): issue = validated
        case .failure(let failure):
            var outcome = LegacyCallOutcome(reply: .legacy(LegacyAnswer(failure: failure, codes: codes)))
            outcome.readable = compiled.validator.readableFields(of: call)
            return outcome
        }
        let route = compiled.mappings.routing.decide(client: client, issue: issue)
        let served = await limiter.run(deadline: deadline) { () async -> LegacyCallOutcome in
            var outcome = LegacyCallOutcome(
                reply: .legacy(LegacyAnswer(failure: .upstreamUnreachable, codes: codes)), issue: issue, route: route
            )
            do throws(UpstreamError) {
                if Task.isCancelled { throw .cancelled }
                if route.target == .legacy {
                    var headers = ProxyHeaders.forwarded(request.headers, remoteAddress: request.remoteAddress)
                    headers[RequestID.header] = requestId
                    // The shim reads this answer for the usage record: ask for one it can read.
                    headers[.acceptEncoding] = "identity"
                    let target = LegacyIssueEndpoint<U>.path + (request.query.map { "?" + $0 } ?? "")
                    let legacyRequest = UpstreamRequest(
                        method: .post, target: target, headers: headers, body: .bytes(ByteBuffer(bytes: body)),
                        retryOnConnectFailure: true, deadline: deadline
                    )
                    outcome.reply = .relayed(try await exchange(legacyRequest, call: "legacy", outcome: &outcome, logger: logger))
                } else {
                    var headers = ProxyHeaders.credentials(request.headers)
                    headers[RequestID.header] = requestId
                    headers[.accept] = "application/json"
                    outcome.reply = try await translate(
                        issue, route: route, compiled: compiled, headers: headers, deadline: deadline, outcome: &outcome,
                        logger: logger
                    )
                }
            } catch {
                outcome.reply = .legacy(LegacyAnswer(failure: Self.failure(for: error), codes: codes))
            }
            return outcome
        }
        switch served {
        case .success(let outcome):
            return outcome
        case .failure(let refusal):
            let failure: LegacyFailure
            switch refusal {
            case .full: failure = .overloaded
            case .deadlinePassed: failure = .notSentInTime
            case .cancelled: failure = .callerGone
            }
            return LegacyCallOutcome(reply: .legacy(LegacyAnswer(failure: failure, codes: codes)), issue: issue, route: route)
        }
    }

    /// The bulk path: lookup when needed, then the bulk call and its translation.
    private func translate(
        _ issue: ValidatedIssue, route: RouteDecision, compiled: MappingStore.Compiled, headers: HTTPFields,
        deadline: NIODeadline, outcome: inout LegacyCallOutcome, logger: Logger
    ) async throws(UpstreamError) -> Reply {
        let mappings = compiled.mappings
        var customerId: Int64?
        if issue.identifierMapping == .lookup {
            let target = mappings.route.lookupPath + "?" + QueryString.build(CustomerLookup.query(for: issue))
            let response = try await exchange(
                UpstreamRequest(
                    method: .get, target: target, headers: headers, retryOnConnectFailure: true, deadline: deadline
                ),
                call: "lookup", outcome: &outcome, logger: logger
            )
            switch Self.lookupResult(response) {
            case .found(let id): customerId = id
            case .relay: return .relayed(response)
            case .failed(let failure):
                var answer = LegacyAnswer(failure: failure, codes: mappings.codes)
                // A lookup sends nothing that issues: whatever it failed with, nothing was issued.
                answer.mayHaveBeenIssued = false
                if failure == .upstreamBusy { answer.retryAfter = response.headers[.retryAfter] }
                return .legacy(answer)
            }
            // The lookup took time: a call whose caller left meanwhile is not sent.
            if Task.isCancelled { throw .cancelled }
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
                codes: mappings.codes, deadline: deadline
            )
            if share.batchSize > 0 {
                outcome.batchId = share.batchId
                outcome.batchSize = share.batchSize
            }
            outcome.upstreamStatus = share.upstreamStatus
            outcome.upstreamLatency = (outcome.upstreamLatency ?? .zero) + (share.upstreamLatency ?? .zero)
            return share.reply
        }
        let response = try await exchange(
            UpstreamRequest(
                method: .post, target: bulkRoute.path, headers: bulkHeaders,
                body: .bytes(ByteBuffer(bytes: LegacyJSON.encode(bulk))),
                // A failed connect sent nothing; any later failure is never retried (it could issue twice).
                retryOnConnectFailure: true, deadline: deadline
            ),
            call: "bulk", outcome: &outcome, logger: logger
        )
        return Self.replies(to: response, issues: [issue], translator: compiled.translator)[0]
    }

    /// The legacy replies to a bulk answer, one per customer sent, in order: the one path from a
    /// bulk answer to legacy answers, for a single call and a coalesced batch alike.
    static func replies(
        to response: BufferedUpstreamResponse, issues: [ValidatedIssue], translator: ResponseTranslator
    ) -> [Reply] {
        if isAuthenticationRefusal(response.status) { return Array(repeating: .relayed(response), count: issues.count) }
        return translator.translate(
            upstreamStatus: response.status.code, body: response.body.readableBytesView, issues: issues,
            retryAfter: response.headers[.retryAfter]
        ).map { .legacy($0) }
    }

    private enum LookupResult {
        case found(Int64)
        case relay
        case failed(LegacyFailure)
    }

    /// What a customer lookup answer means. Only a vendor answer that names no customer is "not
    /// found"; a fault or a rate limit of the vendor is a retryable failure.
    private static func lookupResult(_ response: BufferedUpstreamResponse) -> LookupResult {
        let status = response.status
        if isAuthenticationRefusal(status) { return .relay }
        if status.code == 429 || status.code == 503 { return .failed(.upstreamBusy) }
        if status.code >= 500 { return .failed(.customerLookupFailed) }
        if status.kind == .successful, let id = CustomerLookup.customerId(from: response.body.readableBytesView) {
            return .found(id)
        }
        // A JSON answer that names no customer is the vendor's "not found"; anything else is a fault.
        guard case .object(_)? = try? JSONValue.parse(response.body.readableBytesView) else {
            return .failed(.customerLookupFailed)
        }
        return status.kind == .successful || status.kind == .clientError
            ? .failed(.customerNotFound) : .failed(.customerLookupFailed)
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
        // A client span per upstream call; the vendor gets its context (with tracing off the
        // caller's own trace context is already in the headers, unchanged).
        let span = ShimTracing.startClientSpan(call)
        defer { span.end() }
        var request = request
        if span.isRecording {
            InstrumentationSystem.instrument.inject(span.context, into: &request.headers, using: HTTPFieldsInjector())
            span.attributes["http.request.method"] = request.method.rawValue
            span.attributes["url.path"] = String(request.target.prefix { $0 != "?" })
        }
        do {
            let response = try await upstream.exchange(request, maxResponseBytes: maxUpstreamResponseBytes, logger: logger)
            outcome.upstreamStatus = response.status.code
            if span.isRecording { span.attributes["http.response.status_code"] = Int(response.status.code) }
            return response
        } catch {
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error))
            throw error
        }
    }

    private static func isAuthenticationRefusal(_ status: HTTPResponse.Status) -> Bool {
        status == .unauthorized || status == .forbidden
    }

    /// The one place where an upstream failure becomes a legacy answer. Only a failure that
    /// provably sent nothing is answered "not issued".
    static func failure(for error: UpstreamError) -> LegacyFailure {
        switch error {
        case .connectFailed, .invalidRequest: return .upstreamUnreachable
        case .notSentInTime: return .notSentInTime
        case .cancelled: return .callerGone
        case .timeout: return .upstreamTimeout
        case .responseTooLarge: return .upstreamInvalidResponse
        default: return .upstreamConnectionLost
        }
    }
}
