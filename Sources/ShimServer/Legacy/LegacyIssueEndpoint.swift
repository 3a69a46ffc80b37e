package import HTTPTypes
import Logging
import NIOCore
import ShimCore
import Tracing

/// Answers the legacy `POST /v2/promotion/issue` itself; the proxy listener sends it every request
/// that ``matches(method:path:)``.
///
/// Every legacy answer carries the deprecation headers and the request id, and every legacy call
/// leaves one usage record and one metric increment, whatever its outcome.
package struct LegacyIssueEndpoint<U: Upstream>: Sendable {
    /// The legacy endpoint's canonical path; other spellings of it match too (``PathNormalizer``).
    package static var path: String { "/v2/promotion/issue" }

    /// Validates, routes and sends the call, and gives its outcome.
    package let handler: LegacyIssueHandler<U>
    /// The deprecation headers every legacy answer carries.
    package let deprecation: DeprecationPolicy
    /// Where each call's usage record is written; `nil`: nowhere.
    package let usageLog: UsageLog?
    /// The metrics every call is counted in.
    package let metrics: ShimMetrics
    /// Hashes the caller's customer for the usage record, so the record never holds the identifier value.
    package let customerHasher: CustomerHasher
    /// The in-memory usage summary of the live `/deprecation` dashboard; every record is added to it.
    package let liveUsage: LiveUsage

    /// An endpoint that serves calls with `handler` and records each of them.
    package init(
        handler: LegacyIssueHandler<U>, deprecation: DeprecationPolicy, usageLog: UsageLog?, metrics: ShimMetrics,
        customerHasher: CustomerHasher, liveUsage: LiveUsage
    ) {
        self.liveUsage = liveUsage
        self.handler = handler
        self.deprecation = deprecation
        self.usageLog = usageLog
        self.metrics = metrics
        self.customerHasher = customerHasher
    }

    /// Whether a request is a legacy call. Every spelling a normalising vendor would read as the
    /// legacy endpoint is one, so no caller escapes translation, the usage log or the deprecation
    /// headers (a spelling other than the canonical one is counted).
    package func matches(method: HTTPRequest.Method, path: String) -> Bool {
        guard method == .post else { return false }
        switch PathNormalizer.match(path, canonical: Self.path) {
        case .other: return false
        case .variant:
            metrics.recordLegacyPathVariant()
            return true
        case .canonical: return true
        }
    }

    /// Serves one legacy call and records it. Never fails: every outcome has a legacy-shaped answer.
    /// - Parameters:
    ///   - arrived: When the call's head arrived; its deadline counts from there.
    ///   - presence: The caller's connection; a call still waiting when its caller leaves is never sent.
    func serve(
        _ request: LegacyIssueRequest, arrived: NIODeadline, presence: CallerPresence?, logger: Logger
    ) async -> ProxyResponse {
        // A server span per call, a child of the caller's trace when it sent one.
        await ShimTracing.withServerSpan("POST " + Self.path, headers: request.headers) { span in
            await serve(request, arrived: arrived, presence: presence, span: span, logger: logger)
        }
    }

    private func serve(
        _ request: LegacyIssueRequest, arrived: NIODeadline, presence: CallerPresence?, span: any Span, logger: Logger
    ) async -> ProxyResponse {
        let received = handler.clock.milliseconds()
        let started = ContinuousClock.now
        let requestId = RequestID.resolve(from: request.headers)
        let client = request.client ?? ClientIdentity.name(from: request.headers)
        let serve = {
            await handler.serve(
                request, requestId: requestId, client: client, arrived: arrived, receivedAt: received, logger: logger
            )
        }
        let outcome = await metrics.trackInFlight {
            // A caller that hangs up while its call waits is never sent (the waits are cancellable).
            if let presence { return await presence.watching(serve) }
            return await serve()
        }
        var response = Self.response(for: outcome.reply)
        response.headers.append(contentsOf: deprecation.headers)
        response.headers[RequestID.header] = requestId
        if response.status == .serviceUnavailable, response.headers[.retryAfter] == nil {
            response.headers[.retryAfter] = "1"
        }

        metrics.recordLegacyCall(client: client, outcome: outcome.callOutcome, codes: outcome.codes)
        metrics.recordLegacyCallDuration(ContinuousClock.now - started, outcome: outcome.callOutcome)
        switch outcome.callOutcome {
        case .brownout, .sunset: metrics.recordDeprecationRefusal(client: client, reason: outcome.callOutcome, dryRun: false)
        default:
            if let wouldReject = outcome.wouldReject {
                metrics.recordDeprecationRefusal(client: client, reason: wouldReject, dryRun: true)
            }
        }
        let record = UsageRecord(
            timestampMilliseconds: received,
            requestId: requestId,
            client: client,
            userAgent: request.headers[.userAgent].map { String($0.prefix(256)) },
            remoteAddress: request.remoteAddress,
            programId: outcome.issue?.programId ?? outcome.readable?.programId,
            promotionId: outcome.issue?.promotionId ?? outcome.readable?.promotionId,
            source: outcome.issue?.source ?? outcome.readable?.source,
            identifierName: outcome.issue?.identifierName ?? outcome.readable?.identifierName,
            customer: outcome.issue.map(customerHasher.hash),
            outcome: outcome.callOutcome,
            codes: outcome.codes,
            upstreamStatus: outcome.upstreamStatus,
            latencyMilliseconds: (ContinuousClock.now - started).milliseconds,
            upstreamLatencyMilliseconds: outcome.upstreamLatency?.milliseconds,
            route: outcome.route?.label,
            batchId: outcome.batchId,
            batchSize: outcome.batchSize,
            mayHaveBeenIssued: outcome.mayHaveBeenIssued,
            wouldReject: outcome.wouldReject
        )
        usageLog?.append(record)
        liveUsage.add(record)
        if span.isRecording {
            // What operations need to find a call, never an identifier value, a credential or a customer hash.
            span.attributes["http.request.method"] = "POST"
            span.attributes["http.route"] = Self.path
            span.attributes["http.response.status_code"] = Int(response.status.code)
            span.attributes["promo_shim.client"] = client
            span.attributes["promo_shim.request_id"] = requestId
            span.attributes["promo_shim.outcome"] = outcome.callOutcome.rawValue
            if let code = outcome.codes.first { span.attributes["promo_shim.legacy_code"] = code }
            if let issue = outcome.issue {
                span.attributes["promo_shim.program_id"] = Int(issue.programId)
                span.attributes["promo_shim.promotion_id"] = Int(issue.promotionId)
            }
            if let route = outcome.route { span.attributes["promo_shim.route"] = route.label }
            if let batchId = outcome.batchId { span.attributes["promo_shim.batch_id"] = batchId }
            if response.status.code >= 500 { span.setStatus(SpanStatus(code: .error)) }
        }
        return response
    }

    private static func response(for reply: LegacyCallOutcome.Reply) -> ProxyResponse {
        switch reply {
        case .legacy(let answer):
            var headers: HTTPFields = [.contentType: "application/json"]
            if let retryAfter = answer.retryAfter { headers[.retryAfter] = retryAfter }
            return ProxyResponse(
                status: HTTPResponse.Status(code: answer.status), headers: headers,
                body: ByteBuffer(bytes: LegacyJSON.encode(answer.body))
            )
        case .relayed(let upstream):
            return ProxyResponse(
                status: upstream.status, headers: ProxyHeaders.relayed(upstream.headers), body: upstream.body
            )
        }
    }
}

extension Duration {
    /// The duration in milliseconds, as a floating-point number.
    var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
