import HTTPTypes
package import Hummingbird
import Instrumentation
package import Logging
import NIOCore
import ShimCore
import Tracing

/// Relays any request to the same path on the configured upstream, streaming bodies both ways.
package struct PassthroughResponder<U: Upstream>: Sendable {
    /// The vendor's API, to which every relayed request goes.
    package let upstream: U
    /// Failures of the upstream are answered with the shim's legacy-shaped errors from the code table in force.
    package let store: MappingStore
    /// Counts every relayed request by status class.
    package let metrics: ShimMetrics
    /// Bounds the passthrough calls running and queued; a call it refuses is answered at once.
    package let limiter: ConcurrencyLimiter
    /// Largest request body relayed (413 beyond).
    package let maxBodyBytes: Int

    /// A responder relaying to `upstream`.
    package init(upstream: U, store: MappingStore, metrics: ShimMetrics, limiter: ConcurrencyLimiter, maxBodyBytes: Int) {
        self.upstream = upstream
        self.store = store
        self.metrics = metrics
        self.limiter = limiter
        self.maxBodyBytes = maxBodyBytes
    }

    /// The answer to `request`: the upstream's, streaming, or a legacy-shaped failure of the shim's.
    /// - Parameters:
    ///   - remoteAddress: The caller's IP address, for `X-Forwarded-For`.
    ///   - presence: The caller's connection: a request still waiting for a slot when its caller
    ///     leaves is never sent (answered 499, which nobody reads); once sent, it runs to its answer.
    package func respond(
        to request: Request, remoteAddress: String?, presence: CallerPresence? = nil, logger: Logger
    ) async -> Response {
        // A span per passthrough request, a child of the caller's trace; it ends with the answer's head.
        await ShimTracing.withServerSpan("passthrough " + request.method.rawValue, headers: request.headers) { span in
            let response = await respond(
                to: request, remoteAddress: remoteAddress, presence: presence, span: span, logger: logger)
            if span.isRecording {
                span.attributes["http.request.method"] = request.method.rawValue
                span.attributes["url.path"] = request.uri.path
                span.attributes["http.response.status_code"] = Int(response.status.code)
            }
            return response
        }
    }

    private func respond(
        to request: Request, remoteAddress: String?, presence: CallerPresence?, span: any Span, logger: Logger
    ) async -> Response {
        // Origin-form only: an absolute-form target's scheme and host are dropped (the path is kept),
        // and anything that is not a path is refused. The host is always the configured upstream's.
        // TRACE would echo callers' credentials back (cross-site tracing); CONNECT would make an open proxy.
        if request.method == .trace || request.method == .connect {
            metrics.recordPassthrough(status: 405)
            return Response(status: .methodNotAllowed, headers: [.contentLength: "0"])
        }
        let path = request.uri.path
        guard path.first == "/" else {
            return Response(status: .badRequest, headers: [.contentLength: "0"])
        }
        let target = request.uri.query.map { "\(path)?\($0)" } ?? path
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBodyBytes {
            return failureResponse(.bodyTooLarge)
        }
        let limited = LimitedBody(base: request.body, limit: maxBodyBytes)
        let body = Self.body(of: request, limited: limited)
        var hasBody = true
        if case .none = body { hasBody = false }
        var headers = ProxyHeaders.forwarded(request.headers, remoteAddress: remoteAddress)
        if span.isRecording {
            InstrumentationSystem.instrument.inject(span.context, into: &headers, using: HTTPFieldsInjector())
        }
        let upstreamRequest = UpstreamRequest(
            method: request.method,
            target: target,
            headers: headers,
            body: body,
            // A streamed body can be read only once, so only bodiless GET and HEAD are retried.
            retryOnConnectFailure: !hasBody && (request.method == .get || request.method == .head)
        )
        let result = await limiter.run(watching: presence) { () async -> Result<UpstreamResponse, UpstreamError> in
            do throws(UpstreamError) {
                return .success(try await upstream.stream(upstreamRequest, logger: logger))
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .failure(.cancelled):
            metrics.recordPassthrough(status: 499)
            return Response(status: HTTPResponse.Status(code: 499), headers: [.contentLength: "0"])
        case .failure:
            var response = failureResponse(.overloaded)
            response.headers[.retryAfter] = "1"
            return response
        case .success(.success(let response)):
            metrics.recordPassthrough(status: response.status.code)
            let relayed = Response(status: response.status, headers: ProxyHeaders.relayed(response.headers), body: response.body)
            // Without a body, nothing reads the caller's stream: nothing to detach.
            return hasBody ? detachingBody(relayed, limited, logger: logger) : relayed
        case .success(.failure(let error)):
            let answer: Response
            if limited.exceeded {
                answer = failureResponse(.bodyTooLarge)
            } else if error == .invalidRequest {
                answer = Response(status: .badRequest)
            } else {
                answer = failureResponse(LegacyIssueHandler<U>.failure(for: error))
            }
            return detachingBody(answer, limited, logger: logger)
        }
    }

    /// `response` whose end waits until the upstream client no longer reads the caller's body.
    ///
    /// The upstream may answer, or fail, before its client has read the whole request body, and the
    /// server reads the caller's next request from the same stream once the response has ended. A
    /// read still in progress is given a few seconds (it returns with the caller's next chunk);
    /// past that the response is left unfinished and the connection closed.
    private func detachingBody(_ response: Response, _ limited: LimitedBody, logger: Logger) -> Response {
        var response = response
        let body = response.body
        response.body = ResponseBody(contentLength: body.contentLength) { writer in
            try await body.write(
                FinishAfterWriter(parent: writer) {
                    guard await limited.detach(waitingAtMost: Self.detachLimit) else {
                        logger.notice("upstream client still reading the request body; closing the connection")
                        throw LimitedBody.Detached()
                    }
                }
            )
        }
        return response
    }

    /// How long the end of a response waits for a read of the caller's body in progress.
    static var detachLimit: Duration { .seconds(5) }

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
