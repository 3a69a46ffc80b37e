import HTTPTypes
public import Hummingbird
import NIOCore
import ShimCore

/// Relays any request to the same path on the configured upstream, streaming bodies both ways.
public struct PassthroughResponder<U: Upstream>: HTTPResponder {
    public typealias Context = ShimRequestContext

    public let upstream: U
    /// Failures of the upstream are answered with the shim's legacy-shaped errors from the code table.
    public let codes: CodeTable
    public let metrics: ShimMetrics

    public init(upstream: U, codes: CodeTable, metrics: ShimMetrics) {
        self.upstream = upstream
        self.codes = codes
        self.metrics = metrics
    }

    public func respond(to request: Request, context: Context) async throws -> Response {
        // Origin-form only: an absolute-form target's scheme and host are dropped (the path is kept),
        // and anything that is not a path is refused. The host is always the configured upstream's.
        let path = request.uri.path
        guard path.first == "/" else {
            return Response(status: .badRequest)
        }
        let target = request.uri.query.map { "\(path)?\($0)" } ?? path
        let upstreamRequest = UpstreamRequest(
            method: request.method,
            target: target,
            headers: ProxyHeaders.forwarded(request.headers, remoteAddress: context.remoteAddress),
            body: Self.body(of: request)
        )
        do {
            let response = try await metrics.trackInFlight {
                try await upstream.stream(upstreamRequest, logger: context.logger)
            }
            metrics.recordPassthrough(status: response.status.code)
            return Response(status: response.status, headers: ProxyHeaders.relayed(response.headers), body: response.body)
        } catch {
            let failure: LegacyFailure
            switch error as? UpstreamError ?? .connectionLost {
            case .invalidRequest: return Response(status: .badRequest)
            case .timeout: failure = .upstreamTimeout
            default: failure = .upstreamUnreachable
            }
            let answer = LegacyAnswer(failure: failure, codes: codes)
            metrics.recordPassthrough(status: answer.status)
            return Response(
                status: HTTPResponse.Status(code: answer.status),
                headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: LegacyJSON.encode(answer.body)))
            )
        }
    }

    /// The request body as the caller framed it: none, a known length, or chunked.
    static func body(of request: Request) -> UpstreamRequest.Body {
        if let length = request.headers[.contentLength].flatMap(Int.init) {
            return length == 0 ? .none : .stream(request.body, length: length)
        }
        if request.headers[.transferEncoding] != nil {
            return .stream(request.body, length: nil)
        }
        return .none
    }
}
