import HTTPTypes
package import Hummingbird

/// Applies ``AdminRequestPolicy`` in front of every admin route.
package struct AdminRequestGuard<Context: RequestContext>: RouterMiddleware {
    /// The policy applied.
    package let policy: AdminRequestPolicy

    /// - Parameter policy: Which hosts and origins are served.
    package init(policy: AdminRequestPolicy) {
        self.policy = policy
    }

    /// Answers a refused request itself; passes every other to `next`.
    package func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let refusal = policy.refusal(
            method: request.method,
            host: request.head.authority,
            origin: request.headers[.origin],
            fetchSite: request.headers[HTTPField.Name("Sec-Fetch-Site")!]
        )
        guard let refusal else { return try await next(request, context) }
        let reason =
            refusal == .misdirectedRequest
            ? "this admin listener answers only to loopback names and its configured host\n"
            : "cross-origin requests may not change the admin listener's state\n"
        return Response(status: refusal, headers: [.contentType: "text/plain"], body: .init(byteBuffer: .init(string: reason)))
    }
}
