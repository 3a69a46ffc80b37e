package import HTTPTypes
package import NIOCore

/// An answer the shim makes whole before writing it: a legacy answer, or a failure of its own.
package struct ProxyResponse: Sendable {
    /// The HTTP status.
    package var status: HTTPResponse.Status
    /// The response headers; the initializer sets `Content-Length`.
    package var headers: HTTPFields
    /// The whole response body.
    package var body: ByteBuffer

    /// Sets `Content-Length` from the body.
    package init(status: HTTPResponse.Status, headers: HTTPFields = [:], body: ByteBuffer = ByteBuffer()) {
        self.status = status
        self.headers = headers
        self.headers[.contentLength] = String(body.readableBytes)
        self.body = body
    }
}
