/// Why an upstream call failed. Its description is constant per code: safe as a metric label.
///
/// The codes split on one question, the one a legacy caller's retry depends on: could any byte of
/// the request have reached the vendor? ``mayHaveReachedUpstream`` answers it.
package struct UpstreamError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: String, Sendable, Hashable {
        case connectFailed = "upstream connect failed"
        case timeout = "upstream timeout"
        case connectionLost = "upstream connection lost"
        case responseTooLarge = "upstream response too large"
        case invalidRequest = "invalid upstream request"
        case notSentInTime = "upstream call not sent in time"
        case cancelled = "upstream call cancelled before sending"
    }

    private let code: Code

    /// No connection could be made (refused, or the connect timed out); nothing was sent.
    package static let connectFailed = UpstreamError(code: .connectFailed)
    /// The call was sent and the answer did not come in time (read timeout or the call's deadline).
    package static let timeout = UpstreamError(code: .timeout)
    /// The connection closed or failed after the request may have been sent, or the answer was not
    /// HTTP or was cut short.
    package static let connectionLost = UpstreamError(code: .connectionLost)
    /// A buffered answer exceeded its limit.
    package static let responseTooLarge = UpstreamError(code: .responseTooLarge)
    /// The request could not be formed (e.g. a target that is not a valid URL path).
    package static let invalidRequest = UpstreamError(code: .invalidRequest)
    /// The call's deadline passed while it waited for a connection; nothing was sent.
    package static let notSentInTime = UpstreamError(code: .notSentInTime)
    /// The caller went away (its task was cancelled) while the call waited; nothing was sent.
    package static let cancelled = UpstreamError(code: .cancelled)

    /// Whether any byte of the request may have reached the upstream: only then can the vendor have
    /// acted on it, and only then is an answer "may or may not have been issued".
    package var mayHaveReachedUpstream: Bool {
        switch code {
        case .timeout, .connectionLost, .responseTooLarge: return true
        case .connectFailed, .invalidRequest, .notSentInTime, .cancelled: return false
        }
    }

    /// A constant phrase per code, e.g. `upstream timeout`.
    package var description: String { code.rawValue }
}
