import Hummingbird

/// Refuses calls without valid demo credentials, as the vendor does: 401 unauthenticated,
/// 403 authenticated without write access.
struct SandboxAuthMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    let authenticator: SandboxAuthenticator

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    )
        async throws -> Response
    {
        switch authenticator.verdict(for: request.headers) {
        case .allowed:
            return try await next(request, context)
        case .unauthenticated:
            return Response(
                status: .unauthorized,
                headers: [.wwwAuthenticate: "Basic realm=\"sandbox\"", .contentType: "application/json"],
                body: .init(byteBuffer: .init(string: #"{"errors":[{"status":false,"code":401,"message":"Unauthorized"}]}"#))
            )
        case .forbidden:
            return Response(
                status: .forbidden,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: .init(string: #"{"errors":[{"status":false,"code":403,"message":"Forbidden"}]}"#))
            )
        }
    }
}
