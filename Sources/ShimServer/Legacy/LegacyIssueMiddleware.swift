import HTTPTypes
public import Hummingbird
import NIOCore
import ShimCore

/// Answers the legacy `POST /v2/promotion/issue` itself and passes every other request on.
public struct LegacyIssueMiddleware<U: Upstream>: RouterMiddleware {
    public typealias Context = ShimRequestContext

    /// The legacy endpoint's path.
    public static var path: String { "/v2/promotion/issue" }

    public let handler: LegacyIssueHandler<U>

    public init(handler: LegacyIssueHandler<U>) {
        self.handler = handler
    }

    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard request.method == .post, request.uri.path == Self.path else {
            return try await next(request, context)
        }
        switch await handler.reply(to: request, logger: context.logger) {
        case .legacy(let answer):
            return Response(
                status: HTTPResponse.Status(code: answer.status),
                headers: [.contentType: "application/json"],
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
