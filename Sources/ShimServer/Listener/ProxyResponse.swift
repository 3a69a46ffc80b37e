public import HTTPTypes
public import NIOCore

/// An answer the shim makes whole before writing it: a legacy answer, or a failure of its own.
public struct ProxyResponse: Sendable {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// The response headers; the initializer sets `Content-Length`.
    public var headers: HTTPFields
    /// The whole response body.
    public var body: ByteBuffer

    /// Sets `Content-Length` from the body.
    public init(status: HTTPResponse.Status, headers: HTTPFields = [:], body: ByteBuffer = ByteBuffer()) {
        self.status = status
        self.headers = headers
        self.headers[.contentLength] = String(body.readableBytes)
        self.body = body
    }
}
