import Foundation
package import Hummingbird
package import Logging
import ShimCore

/// Routes of the admin listener, kept off the proxy's port.
package enum AdminRouter {
    /// Builds the admin router:
    /// - `GET /health`: 200 while the process serves (liveness);
    /// - `GET /ready`: 200 once the upstream answered at least once and while the usage log keeps
    ///   up, 503 with the reason otherwise (readiness);
    /// - `GET /metrics`: Prometheus text format.
    /// - `GET /deprecation`: the live usage dashboard (HTML, refreshing itself).
    /// - `POST /reload`: reads the mappings directory again (as SIGHUP does); 200 with the version, or
    ///   422 with the reason the new set was refused (the old set keeps serving).
    ///
    /// Every route is behind ``AdminRequestGuard``: another `Host` than loopback or the configured
    /// admin host gets 421, a cross-origin state-changing request 403.
    package static func make(
        metrics: ShimMetrics, readiness: Readiness, liveUsage: LiveUsage, store: MappingStore,
        requestPolicy: AdminRequestPolicy = .init(adminHost: "127.0.0.1"), logger: Logger
    ) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: AdminRequestGuard(policy: requestPolicy))
        router.get("/health") { _, _ in
            text("ok\n")
        }
        router.get("/ready") { _, _ in
            guard let reason = readiness.notReadyReason else { return text("ready\n") }
            return text(reason + "\n", status: .serviceUnavailable)
        }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: .init(bytes: metrics.exposition()))
            )
        }
        router.post("/reload") { _, _ in
            switch store.reload(logger: logger) {
            case .success(let version): return text("mappings version \(version) in force\n")
            case .failure(let error): return text("refused: \(error)\n", status: .unprocessableContent)
            }
        }
        router.get("/deprecation") { _, _ in
            let now = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
            return Response(
                status: .ok,
                headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: .init(string: liveUsage.page(now: now)))
            )
        }
        return router
    }

    private static func text(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/plain"], body: .init(byteBuffer: .init(string: body)))
    }
}
