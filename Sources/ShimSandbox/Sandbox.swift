import Foundation
package import Hummingbird
package import Logging
import NIOCore

/// The simulated vendor: bulk `directEarn` and `enrolAndEarn`, and the customer lookup, over
/// in-memory ``DemoData``. Runs standalone (`promo-shim sandbox`) or in-process beside the shim.
package enum Sandbox {
    /// The vendor's paths.
    package enum Paths {
        /// The bulk direct-issue call.
        package static let directEarn = "/v2/promotion/bulk/directEarn"
        /// The bulk enrol-and-issue call.
        package static let enrolAndEarn = "/v2/promotion/bulk/enrolAndEarn"
        /// The customer lookup: an identifier (an external id included) to the customer id.
        package static let lookup = "/v2/customers/lookup"
        /// The deprecated single-customer call, simulated for comparisons with the shim.
        package static let legacyIssue = "/v2/promotion/issue"
    }

    /// Builds the sandbox's router.
    package static func router(data: DemoData = .standard) -> Router<BasicRequestContext> {
        let vendor = SandboxVendor(data: data)
        let authenticator = SandboxAuthenticator(data: data)
        let router = Router()
        router.add(middleware: SandboxAuthMiddleware(authenticator: authenticator))
        router.post(RouterPath(Paths.directEarn)) { request, _ in
            try await bulk(request, vendor: vendor, endpoint: .directEarn)
        }
        router.post(RouterPath(Paths.enrolAndEarn)) { request, _ in
            try await bulk(request, vendor: vendor, endpoint: .enrolAndEarn)
        }
        let legacy = SandboxLegacy(vendor: vendor)
        router.post(RouterPath(Paths.legacyIssue)) { request, _ in
            let body = try await request.body.collect(upTo: 1 << 16)
            var query: [String: String] = [:]
            for (name, value) in request.uri.queryParameters where query[String(name)] == nil {
                query[String(name)] = String(value)
            }
            let answer = legacy.issue(query: query, body: Data(body.readableBytesView))
            return json(answer.body, status: answer.status)
        }
        router.get(RouterPath(Paths.lookup)) { request, _ in
            let query = request.uri.queryParameters
            let identifierName = query["identifierName"].map(String.init) ?? ""
            let value = query["identifierValue"].map(String.init) ?? ""
            if let id = vendor.lookup(identifierName: identifierName, value: value) {
                return json(SandboxLookupResponse(entity: id, errors: [], warnings: []), status: .ok)
            }
            return json(SandboxLookupResponse(entity: nil, errors: [.customerNotFound], warnings: []), status: .badRequest)
        }
        return router
    }

    /// Builds the sandbox as an application listening on `host:port` (port 0 picks a free one).
    package static func application(
        host: String,
        port: Int,
        data: DemoData = .standard,
        logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: router(data: data),
            configuration: .init(address: .hostname(host, port: port)),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }

    private static func bulk(
        _ request: Request, vendor: SandboxVendor, endpoint: SandboxVendor.BulkEndpoint
    )
        async throws -> Response
    {
        let body = try await request.body.collect(upTo: 1 << 20)
        guard let bulk = try? JSONDecoder().decode(SandboxBulkRequest.self, from: Data(body.readableBytesView)) else {
            return json(SandboxLookupResponse(entity: nil, errors: [.insufficientParameters], warnings: []), status: .badRequest)
        }
        guard let response = vendor.bulk(bulk, endpoint: endpoint) else {
            let tooMany = SandboxMessage(code: 8881, message: "at most \(SandboxVendor.maxCustomersPerCall) customers per call")
            return json(SandboxLookupResponse(entity: nil, errors: [tooMany], warnings: []), status: .badRequest)
        }
        return json(response, status: .ok)
    }

    private static func json(_ value: some Encodable, status: HTTPResponse.Status) -> Response {
        let data = (try? JSONEncoder().encode(value)) ?? Data("{}".utf8)
        return Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data))
        )
    }
}
