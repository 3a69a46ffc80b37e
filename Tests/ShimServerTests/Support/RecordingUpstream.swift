import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ShimSandbox
import ShimServer
import Synchronization

/// A request as the test upstream received it.
struct RecordedRequest: Sendable {
    var method: HTTPRequest.Method
    var path: String
    var query: String?
    /// The Host the request named.
    var authority: String?
    var headers: HTTPFields
    var body: [UInt8]

    /// The body parsed as a JSON object.
    var jsonBody: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }
}

/// A test upstream over a real socket that records every request and answers with `behaviour`.
/// The shim's readiness probes are answered 200 and not recorded.
final class RecordingUpstream: Sendable {
    typealias Behaviour = @Sendable (RecordedRequest) async throws -> Response

    private let recorded = Mutex<[RecordedRequest]>([])
    private let behaviour: Behaviour

    init(_ behaviour: @escaping Behaviour) {
        self.behaviour = behaviour
    }

    /// Every request received so far, in order.
    var requests: [RecordedRequest] { recorded.withLock { $0 } }

    /// Runs the upstream for the duration of `body`, handing it the base URL.
    func run<Result: Sendable>(_ body: (String) async throws -> Result) async throws -> Result {
        try await withRunningApplication({ onRunning in
            Application(
                responder: Responder(upstream: self),
                configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { channel in await onRunning(channel.localAddress!.port!) }
            )
        }) { port in
            try await body("http://127.0.0.1:\(port)")
        }
    }

    private struct Responder: HTTPResponder {
        typealias Context = BasicRequestContext
        let upstream: RecordingUpstream

        func respond(to request: Request, context: Context) async throws -> Response {
            if request.headers[.userAgent] == "promo-shim-readiness-probe" {
                return Response(status: .ok)
            }
            let body = try await request.body.collect(upTo: 64 << 20)
            let record = RecordedRequest(
                method: request.method,
                path: request.uri.path,
                query: request.uri.query,
                authority: request.head.authority,
                headers: request.headers,
                body: Array(body.readableBytesView)
            )
            upstream.recorded.withLock { $0.append(record) }
            return try await upstream.behaviour(record)
        }
    }

    /// A JSON response.
    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: .init(string: text)))
    }

    /// An upstream that answers the legacy endpoint with an empty legacy answer and every other
    /// call with ``bulkSuccess``, so a test can tell from the requests which route served a call.
    static func legacyOrBulk() -> RecordingUpstream {
        RecordingUpstream { request in
            request.path == "/v2/promotion/issue"
                ? json(#"{"warnings":[],"errors":[],"sideEffects":[]}"#) : json(bulkSuccess)
        }
    }

    /// The documented bulk success body for one customer.
    static let bulkSuccess = """
        {"response":[{"result":{"entityType":"CUSTOMER","entityId":423924812,"promotionId":201436,\
        "programId":2750,"issualId":"811","earnedId":"765"},"errors":[],"warnings":[]}],\
        "totalCount":1,"failureCount":0}
        """
}
