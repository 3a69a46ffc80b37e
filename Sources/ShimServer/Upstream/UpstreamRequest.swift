public import HTTPTypes
public import Hummingbird
public import NIOCore

/// A request to the configured upstream. It names only a path: the scheme, host and port always
/// come from configuration, so nothing a caller sends can point the shim elsewhere.
public struct UpstreamRequest: Sendable {
    /// The body of an upstream request.
    public enum Body: Sendable {
        case none
        case bytes(ByteBuffer)
        /// A streamed body; `length` is `nil` for a chunked one.
        case stream(RequestBody, length: Int?)
    }

    public var method: HTTPRequest.Method
    /// Origin-form target: path and optional query, starting with `/`.
    public var target: String
    /// Headers to send; hop-by-hop headers and `Host` must already be removed.
    public var headers: HTTPFields
    public var body: Body
    /// Whether the request may be sent once more when no connection could be made (nothing was
    /// sent). Never set it for a request that is not safe to repeat unless the first attempt
    /// provably sent nothing, which is the only case it applies to.
    public var retryOnConnectFailure: Bool
    /// The caller's deadline, fixed when its call arrived; `nil` gives the request the configured
    /// request timeout from when it is sent.
    public var deadline: NIODeadline?

    public init(
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
public struct UpstreamResponse: Sendable {
    public var status: HTTPResponse.Status
    public var headers: HTTPFields
    public var body: ResponseBody

    public init(status: HTTPResponse.Status, headers: HTTPFields, body: ResponseBody) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// An upstream answer read whole (the small JSON answers of the translated calls).
public struct BufferedUpstreamResponse: Sendable {
    public var status: HTTPResponse.Status
    public var headers: HTTPFields
    public var body: ByteBuffer

    public init(status: HTTPResponse.Status, headers: HTTPFields, body: ByteBuffer) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
