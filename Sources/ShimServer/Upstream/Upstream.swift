package import Logging

/// The seam between the shim and the vendor: one configured upstream, reached by path only.
///
/// The translation path uses ``exchange(_:maxResponseBytes:logger:)`` (small bodies, read whole);
/// passthrough uses ``stream(_:logger:)``, whose response body streams to the caller.
package protocol Upstream: Sendable {
    /// Sends a request and reads the whole answer, failing with ``UpstreamError`` when it is larger
    /// than `maxResponseBytes`.
    func exchange(
        _ request: UpstreamRequest, maxResponseBytes: Int, logger: Logger
    ) async throws(UpstreamError)
        -> BufferedUpstreamResponse

    /// Sends a request and returns as soon as the response head arrives.
    func stream(_ request: UpstreamRequest, logger: Logger) async throws(UpstreamError) -> UpstreamResponse
}
