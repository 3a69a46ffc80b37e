import Foundation
import HTTPTypes
import Logging
import NIOCore
import ShimCore

@testable import ShimServer

/// The shim's legacy request path in process: the endpoint the proxy listener hands legacy calls
/// to, over an ``InMemoryUpstream``. For what does not live on the wire (what is sent upstream,
/// how answers translate); the listener itself is tested over sockets.
struct InProcessShim {
    let endpoint: LegacyIssueEndpoint<InMemoryUpstream>
    let metrics: ShimMetrics

    init(upstream: InMemoryUpstream, mappings: MappingSet = shippedMappings, clock: WallClock = .system) {
        let metrics = ShimMetrics()
        let store = MappingStore(mappings, metrics: metrics)
        self.metrics = metrics
        self.endpoint = LegacyIssueEndpoint(
            handler: LegacyIssueHandler(
                upstream: upstream, store: store, maxBodyBytes: 16 * 1024,
                limiter: ConcurrencyLimiter(maxConcurrent: 64, maxQueued: 64), metrics: metrics, clock: clock
            ),
            deprecation: .standard, usageLog: nil, metrics: metrics, customerHasher: CustomerHasher(secret: "test-key"),
            liveUsage: LiveUsage()
        )
    }

    /// Serves a legacy issue call as the listener would after reading it.
    func issue(
        query: String, body: String = #"{"programId":469,"promotionId":65777}"#,
        headers: [(String, String)] = [tillAuthorization]
    ) async -> InProcessAnswer {
        var fields = HTTPFields()
        for (name, value) in headers + [("Content-Type", "application/json")] {
            fields.append(HTTPField(name: HTTPField.Name(name)!, value: value))
        }
        let request = LegacyIssueRequest(
            query: query, headers: fields, body: .bytes(ByteBuffer(string: body)), remoteAddress: "127.0.0.1"
        )
        let response = await endpoint.serve(
            request, arrived: .now(), presence: nil, logger: Logger(label: "promo-shim.test.in-process")
        )
        return InProcessAnswer(
            status: Int(response.status.code), headers: response.headers, body: Array(response.body.readableBytesView)
        )
    }
}

/// A legacy answer as the endpoint made it.
struct InProcessAnswer {
    var status: Int
    var headers: HTTPFields
    var body: [UInt8]

    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:] }
    var errorCodes: [Int] { (json["errors"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? Int } }
}
