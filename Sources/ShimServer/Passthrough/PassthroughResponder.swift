import HTTPTypes
public import Hummingbird
import NIOCore
import ShimCore

/// Relays any request to the same path on the configured upstream, streaming bodies both ways.
public struct PassthroughResponder<U: Upstream>: HTTPResponder {
    public typealias Context = ShimRequestContext

    public let upstream: U
    /// Failures of the upstream are answered with the shim's legacy-shaped errors from the code table in force.
    public let store: MappingStore
    public let metrics: ShimMetrics
    public let limiter: ConcurrencyLimiter
    /// Largest request body relayed (413 beyond).
    public let maxBodyBytes: Int

    public init(upstream: U, store: MappingStore, metrics: ShimMetrics, limiter: ConcurrencyLimiter, maxBodyBytes: Int) {
        self.upstream = upstream
        self.store = store
        self.metrics = metrics
        self.limiter = limiter
        self.maxBodyBytes = maxBodyBytes
    }

    public func respond(to request: Request, context: Context) async throws -> Response {
        // Origin-form only: an absolute-form target's scheme and host are dropped (the path is kept),
        // and anything that is not a path is refused. The host is always the configured upstream's.
        let path = request.uri.path
        guard path.first == "/" else {
            return Response(status: .badRequest)
        }
        // TRACE would echo callers' credentials back (cross-site tracing); CONNECT would make an open proxy.
        if request.method == .trace || request.method == .connect {
            metrics.recordPassthrough(status: 405)
            return Response(status: .methodNotAllowed)
        }
        let target = request.uri.query.map { "\(path)?\($0)" } ?? path
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBodyBytes {
            return failureResponse(.bodyTooLarge)
        }
        let limited = LimitedBody(base: request.body, limit: maxBodyBytes)
        let body = Self.body(of: request, limited: limited)
        var hasBody = true
        if case .none = body { hasBody = false }
        let upstreamRequest = UpstreamRequest(
            method: request.method,
            target: target,
            headers: ProxyHeaders.forwarded(request.headers, remoteAddress: context.remoteAddress),
            body: body,
            // A streamed body can be read only once, so only bodiless GET and HEAD are retried.
            retryOnConnectFailure: !hasBody && (request.method == .get || request.method == .head)
        )
        let result: Result<UpstreamResponse, UpstreamError>? = await limiter.run {
            do throws(UpstreamError) {
                return .success(try await upstream.stream(upstreamRequest, logger: context.logger))
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case nil:
            var response = failureResponse(.overloaded)
            response.headers[.retryAfter] = "1"
            return response
        case .success(let response)?:
            metrics.recordPassthrough(status: response.status.code)
            // The upstream may answer before it has read the whole request body, and the server reads
            // the caller's next request from the same stream once the response is written: hold the
            // response's end until the upstream client has let go of the body.
            let upstreamBody = response.body
            let body = ResponseBody(contentLength: upstreamBody.contentLength) { writer in
                try await upstreamBody.write(FinishAfterWriter(parent: writer, beforeFinish: { await limited.readingEnded() }))
            }
            return Response(status: response.status, headers: ProxyHeaders.relayed(response.headers), body: body)
        case .failure(let error)?:
            await limited.readingEnded()
            if limited.exceeded { return failureResponse(.bodyTooLarge) }
            switch error {
            case .invalidRequest: return Response(status: .badRequest)
            case .timeout: return failureResponse(.upstreamTimeout)
            default: return failureResponse(.upstreamUnreachable)
            }
        }
    }

    /// A legacy-shaped answer to a failure of the shim's own.
    private func failureResponse(_ failure: LegacyFailure) -> Response {
        let answer = LegacyAnswer(failure: failure, codes: store.current.mappings.codes)
        metrics.recordPassthrough(status: answer.status)
        return Response(
            status: HTTPResponse.Status(code: answer.status),
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: LegacyJSON.encode(answer.body)))
        )
    }

    /// The request body as the caller framed it: none, a known length, or chunked.
    static func body(of request: Request, limited: LimitedBody) -> UpstreamRequest.Body {
        if let length = request.headers[.contentLength].flatMap(Int.init) {
            return length == 0 ? .none : .stream(RequestBody(asyncSequence: limited), length: length)
        }
        if request.headers[.transferEncoding] != nil {
            return .stream(RequestBody(asyncSequence: limited), length: nil)
        }
        return .none
    }
}
