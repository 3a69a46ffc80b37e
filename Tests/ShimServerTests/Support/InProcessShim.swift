import Foundation
import HTTPTypes
import Logging
import NIOCore
import ShimCore

@testable import ShimServer

/// The shim's legacy request path in process: the endpoint the proxy listener hands legacy calls
/// to, assembled from a ``ShimConfiguration`` as the server assembles it (limits, coalescing,
/// deadline, deprecation policy, clock), over an ``InMemoryUpstream``. For what does not live on
/// the wire (what is sent upstream, how answers translate, how calls share a batch, what a usage
/// record holds); the listener itself is tested over sockets.
struct InProcessShim {
    let endpoint: LegacyIssueEndpoint<InMemoryUpstream>
    let metrics: ShimMetrics
    /// Where the usage log writes: memory, read by ``usageRecords()``.
    private let usageSink: UsageLogWriterTests.ScriptedSink

    /// A shim over `upstream` with the defaults `serve` has, changed by `configure`; the customer
    /// hash key is `test-key` unless `configure` sets another. The configuration's usage-log
    /// destination is not used: every record goes to memory.
    init(upstream: InMemoryUpstream, configure: (inout ShimConfiguration) -> Void = { _ in }) {
        var configuration = ShimConfiguration(
            upstream: try! UpstreamEndpoint("http://upstream.invalid"), mappings: shippedMappings)
        configuration.customerHashKey = "test-key"
        configure(&configuration)
        let metrics = ShimMetrics()
        let logger = Logger(label: "promo-shim.test.in-process")
        let store = MappingStore(configuration.mappings, metrics: metrics, sunset: configuration.deprecation.sunsetMilliseconds)
        let sink = UsageLogWriterTests.ScriptedSink()
        let coalescer =
            configuration.coalesceWindow > .zero
            ? Coalescer(
                upstream: upstream, window: configuration.coalesceWindow, maxBatch: configuration.coalesceMax, metrics: metrics,
                logger: logger
            ) : nil
        self.metrics = metrics
        self.usageSink = sink
        self.endpoint = LegacyIssueEndpoint(
            handler: LegacyIssueHandler(
                upstream: upstream, store: store, maxBodyBytes: configuration.maxLegacyBodyBytes,
                limiter: ConcurrencyLimiter(
                    maxConcurrent: configuration.maxConcurrentUpstreamCalls, maxQueued: configuration.maxQueuedUpstreamCalls
                ),
                metrics: metrics, coalescer: coalescer, requestTimeout: configuration.timeouts.request, clock: configuration.clock
            ),
            deprecation: configuration.deprecation, usageLog: UsageLog(sink: sink, logger: logger), metrics: metrics,
            customerHasher: CustomerHasher(secret: configuration.customerHashKey),
            liveUsage: LiveUsage(sunsetDate: configuration.deprecation.sunsetDate)
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

    /// Writes the usage records of the calls served so far and returns the whole log: its text and
    /// its records, parsed.
    func usageLog() async throws -> (text: String, records: [[String: Any]]) {
        await endpoint.usageLog?.writePending()
        return (usageSink.text, try UsageLogTests.records(in: usageSink.text))
    }
}

/// A legacy answer as the endpoint made it.
struct InProcessAnswer {
    var status: Int
    var headers: HTTPFields
    var body: [UInt8]

    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:] }
    var errorCodes: [Int] { (json["errors"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? Int } }
    var warningCodes: [Int] { (json["warnings"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? Int } }

    /// The values of the field `name`, in order.
    subscript(header name: String) -> [String] { headers[values: HTTPField.Name(name)!] }
}
