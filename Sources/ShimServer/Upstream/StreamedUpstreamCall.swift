import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1

/// A passthrough call on a pooled upstream connection: the request body streams from the caller as
/// ``UpstreamBodyPump`` writes it, and the answer's body streams back as the caller reads it.
struct StreamedUpstreamCall {
    /// The request head, framed for the upstream (`Host`, `Content-Length` or chunked).
    var head: HTTPRequestHead
    /// Whether a body follows the head; it is written through ``started``'s sink.
    var hasBody: Bool
    /// When the answer's head must have arrived.
    var deadline: NIODeadline
    /// Succeeds, once the head is written, with the sink the body is written through (bodied calls only).
    var started: EventLoopPromise<UpstreamBodySink>?
    /// Succeeds at the answer's head, with its body streaming.
    var answered: EventLoopPromise<StreamedUpstreamAnswer>
}

/// The answer to a streamed call, as soon as its head is in: whole when it ended in the same read,
/// or with its body still arriving.
struct StreamedUpstreamAnswer: Sendable {
    /// The answer's body.
    enum Body: Sendable {
        /// All of it, read with the head.
        case whole(ByteBuffer)
        /// Still arriving, as fast as the caller reads it.
        case streaming(UpstreamResponseBody.Sequence)
    }

    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: Body

    /// The answer with `head`'s status and fields.
    init(head: HTTPResponseHead, body: Body) {
        self.status = HTTPResponse.Status(code: Int(head.status.code))
        self.headers = HTTPFields(head.headers, splitCookie: false)
        self.body = body
    }
}
