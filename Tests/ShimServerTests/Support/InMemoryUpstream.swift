import Foundation
import HTTPTypes
import Logging
import NIOCore
import ShimServer
import Synchronization

/// An upstream in memory, behind the ``Upstream`` seam: it records every request and answers with
/// `answer`, so the request path is tested without a socket. Streaming (passthrough) is not served:
/// passthrough lives on the wire and is tested there.
final class InMemoryUpstream: Upstream {
    typealias Answer = @Sendable (RecordedRequest) async throws(UpstreamError) -> BufferedUpstreamResponse

    private let recorded = Mutex<[RecordedRequest]>([])
    private let answer: Answer

    init(_ answer: @escaping Answer) {
        self.answer = answer
    }

    /// Every request received so far, in order.
    var requests: [RecordedRequest] { recorded.withLock { $0 } }

    func exchange(
        _ request: UpstreamRequest, maxResponseBytes: Int, logger: Logger
    ) async throws(UpstreamError)
        -> BufferedUpstreamResponse
    {
        let path = request.target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var body: [UInt8] = []
        if case .bytes(let buffer) = request.body { body = Array(buffer.readableBytesView) }
        let record = RecordedRequest(
            method: request.method, path: String(path[0]), query: path.count > 1 ? String(path[1]) : nil,
            authority: nil, headers: request.headers, body: body
        )
        recorded.withLock { $0.append(record) }
        return try await answer(record)
    }

    func stream(_ request: UpstreamRequest, logger: Logger) async throws(UpstreamError) -> UpstreamResponse {
        throw .connectFailed
    }

    /// A rate limit or maintenance answer with `Retry-After`.
    static func busy(status: HTTPResponse.Status, retryAfter: String) -> BufferedUpstreamResponse {
        BufferedUpstreamResponse(
            status: status, headers: [.contentType: "application/json", .retryAfter: retryAfter],
            body: ByteBuffer(string: #"{"message":"slow down"}"#)
        )
    }

    /// A JSON answer.
    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> BufferedUpstreamResponse {
        BufferedUpstreamResponse(status: status, headers: [.contentType: "application/json"], body: ByteBuffer(string: text))
    }
}
