public import Hummingbird

/// Routes of the admin listener, kept off the proxy's port.
public enum AdminRouter {
    /// Builds the admin router: `GET /health` answers 200 while the process serves.
    public static func make() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/health") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: .init(string: "ok\n")))
        }
        return router
    }
}
