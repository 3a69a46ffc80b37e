public import Hummingbird

/// The proxy listener's responder: the legacy endpoint's middleware in front of the passthrough.
/// A caller's `Expect: 100-continue` is answered when either first reads the body (``ExpectContinue``).
public struct ShimResponder<U: Upstream>: HTTPResponder {
    public typealias Context = ShimRequestContext

    public let legacy: LegacyIssueMiddleware<U>
    public let passthrough: PassthroughResponder<U>

    public init(legacy: LegacyIssueMiddleware<U>, passthrough: PassthroughResponder<U>) {
        self.legacy = legacy
        self.passthrough = passthrough
    }

    public func respond(to request: Request, context: Context) async throws -> Response {
        let request = ExpectContinue.preparing(request, channel: context.channel)
        return try await legacy.handle(request, context: context) { request, context in
            try await passthrough.respond(to: request, context: context)
        }
    }
}
