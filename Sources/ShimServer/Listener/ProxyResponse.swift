public import HTTPTypes
public import NIOCore

/// An answer the shim makes whole before writing it: a legacy answer, or a failure of its own.
public struct ProxyResponse: Sendable {
    public var status: HTTPResponse.Status
    public var headers: HTTPFields
    public var body: ByteBuffer

    /// Sets `Content-Length` from the body.
    public init(status: HTTPResponse.Status, headers: HTTPFields = [:], body: ByteBuffer = ByteBuffer()) {
        self.status = status
        self.headers = headers
        self.headers[.contentLength] = String(body.readableBytes)
        self.body = body
    }
}
