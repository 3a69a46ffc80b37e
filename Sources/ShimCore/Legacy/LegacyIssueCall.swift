/// A legacy `POST /v2/promotion/issue` call as it arrived: the decoded query parameters in
/// order (duplicates kept) and the raw body.
package struct LegacyIssueCall: Sendable {
    /// Query parameters in the order they came, percent-decoded.
    package var query: [(name: String, value: String)]
    /// The request body.
    package var body: [UInt8]

    /// A call from its percent-decoded query parameters, in arrival order, and its raw body.
    package init(query: [(name: String, value: String)], body: [UInt8]) {
        self.query = query
        self.body = body
    }
}
