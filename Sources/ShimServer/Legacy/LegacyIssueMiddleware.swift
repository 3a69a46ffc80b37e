import Foundation
import HTTPTypes
public import Hummingbird
import NIOCore
import ShimCore

/// Answers the legacy `POST /v2/promotion/issue` itself and passes every other request on.
///
/// Every legacy answer carries the deprecation headers and the request id, and every legacy call
/// leaves one usage record and one metric increment, whatever its outcome.
public struct LegacyIssueMiddleware<U: Upstream>: RouterMiddleware {
    public typealias Context = ShimRequestContext

    /// The legacy endpoint's canonical path; other spellings of it match too (``PathNormalizer``).
    public static var path: String { "/v2/promotion/issue" }

    public let handler: LegacyIssueHandler<U>
    public let deprecation: DeprecationPolicy
    public let usageLog: UsageLog?
    public let metrics: ShimMetrics
    public let customerHasher: CustomerHasher
    public let liveUsage: LiveUsage

    public init(
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

    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard request.method == .post else {
            return try await next(request, context)
        }
        // Every spelling a normalising vendor would read as the legacy endpoint is a legacy call,
        // so no caller escapes translation, the usage log or the deprecation headers.
        switch PathNormalizer.match(request.uri.path, canonical: Self.path) {
        case .other: return try await next(request, context)
        case .variant: metrics.recordLegacyPathVariant()
        case .canonical: break
        }
        let arrived = Date()
        let arrivedDeadline = NIODeadline.now()
        let started = ContinuousClock.now
        let requestId = RequestID.resolve(from: request.headers)
        let client = ClientIdentity.name(from: request.headers)
        let serve = {
            await handler.serve(
                request, requestId: requestId, client: client, remoteAddress: context.remoteAddress,
                arrived: arrivedDeadline, logger: context.logger
            )
        }
        let outcome = await metrics.trackInFlight {
            // A caller that hangs up while its call waits is never sent (the waits are cancellable).
            if let presence = context.callerPresence { return await presence.watching(serve) }
            return await serve()
        }
        var response = Self.response(for: outcome.reply)
        response.headers.append(contentsOf: deprecation.headers)
        response.headers[RequestID.header] = requestId
        if response.status == .serviceUnavailable, response.headers[.retryAfter] == nil {
            response.headers[.retryAfter] = "1"
        }

        metrics.recordLegacyCall(client: client, outcome: outcome.callOutcome, codes: outcome.codes)
        let record = UsageRecord(
                timestampMilliseconds: Int64((arrived.timeIntervalSince1970 * 1000).rounded(.down)),
                requestId: requestId,
                client: client,
                userAgent: request.headers[.userAgent].map { String($0.prefix(256)) },
                remoteAddress: context.remoteAddress,
                programId: outcome.issue?.programId,
                promotionId: outcome.issue?.promotionId,
                source: outcome.issue?.source,
                identifierName: outcome.issue?.identifierName,
                customer: outcome.issue.map(customerHasher.hash),
                outcome: outcome.callOutcome,
                codes: outcome.codes,
                upstreamStatus: outcome.upstreamStatus,
                latencyMilliseconds: (ContinuousClock.now - started).milliseconds,
                upstreamLatencyMilliseconds: outcome.upstreamLatency?.milliseconds,
                route: outcome.route?.label,
                batchId: outcome.batchId,
                batchSize: outcome.batchSize
        )
        usageLog?.append(record)
        liveUsage.add(record)
        return response
    }

    private static func response(for reply: LegacyCallOutcome.Reply) -> Response {
        switch reply {
        case .legacy(let answer):
            var headers: HTTPFields = [.contentType: "application/json"]
            if let retryAfter = answer.retryAfter { headers[.retryAfter] = retryAfter }
            return Response(
                status: HTTPResponse.Status(code: answer.status),
                headers: headers,
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: LegacyJSON.encode(answer.body)))
            )
        case .relayed(let upstream):
            return Response(
                status: upstream.status,
                headers: ProxyHeaders.relayed(upstream.headers),
                body: ResponseBody(byteBuffer: upstream.body)
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
