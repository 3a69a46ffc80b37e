package import HTTPTypes
package import Hummingbird
package import NIOCore

/// A request to the configured upstream. It names only a path: the scheme, host and port always
/// come from configuration, so nothing a caller sends can point the shim elsewhere.
package struct UpstreamRequest: Sendable {
    /// The body of an upstream request.
    package enum Body: Sendable {
        /// No body.
        case none
        /// A body held whole in memory.
        case bytes(ByteBuffer)
        /// A streamed body; `length` is `nil` for a chunked one.
        case stream(RequestBody, length: Int?)
    }

    /// The HTTP method.
    package var method: HTTPRequest.Method
    /// Origin-form target: path and optional query, starting with `/`.
    package var target: String
    /// Headers to send; hop-by-hop headers and `Host` must already be removed.
    package var headers: HTTPFields
    /// The body to send.
    package var body: Body
    /// Whether the request may be sent once more when no connection could be made (nothing was
    /// sent). Never set it for a request that is not safe to repeat unless the first attempt
    /// provably sent nothing, which is the only case it applies to.
    package var retryOnConnectFailure: Bool
    /// The caller's deadline, fixed when its call arrived; `nil` gives the request the configured
    /// request timeout from when it is sent.
    package var deadline: NIODeadline?

    /// A request to `target` on the configured upstream; by default without body, retry or deadline of its own.
    package init(
        method: HTTPRequest.Method, target: String, headers: HTTPFields, body: Body = .none,
        retryOnConnectFailure: Bool = false, deadline: NIODeadline? = nil
    ) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
        self.retryOnConnectFailure = retryOnConnectFailure
        self.deadline = deadline
    }
}

/// An upstream answer whose body is still streaming.
package struct UpstreamResponse: Sendable {
    /// The upstream's HTTP status.
    package var status: HTTPResponse.Status
    /// The upstream's headers.
    package var headers: HTTPFields
    /// The body, streaming from the upstream as it is read.
    package var body: ResponseBody

    /// An answer as given.
    package init(status: HTTPResponse.Status, headers: HTTPFields, body: ResponseBody) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// An upstream answer read whole (the small JSON answers of the translated calls).
package struct BufferedUpstreamResponse: Sendable {
    /// The upstream's HTTP status.
    package var status: HTTPResponse.Status
    /// The upstream's headers.
    package var headers: HTTPFields
    /// The whole body.
    package var body: ByteBuffer

    /// An answer as given.
    package init(status: HTTPResponse.Status, headers: HTTPFields, body: ByteBuffer) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
