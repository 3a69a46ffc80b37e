/// Why an upstream call failed. Its description is constant per code: safe as a metric label.
public struct UpstreamError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: String, Sendable, Hashable {
        case connectFailed = "upstream connect failed"
        case timeout = "upstream timeout"
        case connectionLost = "upstream connection lost"
        case responseTooLarge = "upstream response too large"
        case invalidRequest = "invalid upstream request"
    }

    private let code: Code

    /// No connection could be made; nothing was sent.
    public static let connectFailed = UpstreamError(code: .connectFailed)
    /// The connection, a read or the overall deadline timed out.
    public static let timeout = UpstreamError(code: .timeout)
    /// The connection closed or failed after the request may have been sent.
    public static let connectionLost = UpstreamError(code: .connectionLost)
    /// A buffered answer exceeded its limit.
    public static let responseTooLarge = UpstreamError(code: .responseTooLarge)
    /// The request could not be formed (e.g. a target that is not a valid URL path).
    public static let invalidRequest = UpstreamError(code: .invalidRequest)

    public var description: String { code.rawValue }
}
