package import HTTPTypes
package import NIOCore

/// A legacy `POST /v2/promotion/issue` as the proxy listener read it off the wire.
package struct LegacyIssueRequest: Sendable {
    /// The request body, or why it was not read.
    package enum Body: Sendable {
        /// The whole body, within the limit.
        case bytes(ByteBuffer)
        /// The body is (or says it is) larger than the legacy limit; it was not kept.
        case tooLarge
        /// The body could not be read whole: the caller fell silent past the body timeout, closed
        /// its side, or sent something that is not HTTP in the middle of it.
        case unreadable
    }

    /// The raw query string (without `?`), if the target had one.
    package var query: String?
    /// The caller's headers.
    package var headers: HTTPFields
    /// The request body, or why it was not read.
    package var body: Body
    /// The caller's IP address, when the connection has one.
    package var remoteAddress: String?
    /// The client name of the caller's credentials when the listener already knows it
    /// (``ClientIdentity/Memo``); `nil`: the endpoint works it out from ``headers``.
    package var client: String?

    /// A request as read off the wire.
    package init(query: String?, headers: HTTPFields, body: Body, remoteAddress: String?, client: String? = nil) {
        self.client = client
        self.query = query
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
    }
}
