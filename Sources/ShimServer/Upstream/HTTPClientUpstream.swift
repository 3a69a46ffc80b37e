package import AsyncHTTPClient
import HTTPTypes
import Hummingbird
import Instrumentation
package import Logging
package import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1
import NIOPosix
import NIOSSL
import Tracing

/// The upstream over AsyncHTTPClient: pooled keep-alive connections, TLS for https, no redirects,
/// no decompression, explicit timeouts.
package struct HTTPClientUpstream: Upstream {
    /// Timeouts of upstream calls.
    package struct Timeouts: Sendable {
        /// Time allowed to establish a connection (including TLS).
        package var connect: TimeAmount
        /// Time allowed between two reads of a response.
        package var read: TimeAmount
        /// Time allowed for a whole call, from sending to the end of the response head.
        package var request: TimeAmount
        /// How long a pooled connection stays open unused: shorter than common upstream keep-alive
        /// limits (5 s and more), so the shim closes idle connections before the upstream does.
        package var idle: TimeAmount

        /// Timeouts as given; the defaults are 2 s connect, 10 s read, 15 s request and 4 s idle.
        package init(
            connect: TimeAmount = .seconds(2), read: TimeAmount = .seconds(10), request: TimeAmount = .seconds(15),
            idle: TimeAmount = .seconds(4)
        ) {
            self.connect = connect
            self.read = read
            self.request = request
            self.idle = idle
        }
    }

    /// The configured upstream every request goes to.
    package let endpoint: UpstreamEndpoint
    /// The AsyncHTTPClient client; it follows no redirects and does not decompress.
    package let client: HTTPClient
    /// The timeouts of every call.
    package let timeouts: Timeouts

    /// Creates the client. Shut it down with `client.shutdown()` (``EventLoopUpstream/shutdown()`` does).
    /// - Parameter verifyCertificates: Verify an https upstream's certificate chain and host name.
    ///   Turning it off is for test vendors only.
    package init(
        endpoint: UpstreamEndpoint, timeouts: Timeouts = Timeouts(), maxConnections: Int = 64,
        verifyCertificates: Bool = true
    ) {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = verifyCertificates ? .fullVerification : .none
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tls,
            redirectConfiguration: .disallow,
            timeout: .init(connect: timeouts.connect, read: timeouts.read),
            decompression: .disabled
        )
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = maxConnections
        configuration.connectionPool.idleTimeout = timeouts.idle
        // Fail fast when the upstream refuses connections instead of retrying until the deadline.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.httpVersion = .http1Only
        // Without a tracing backend the client's span is a no-op that still costs its attributes
        // (4 % of a passthrough request in the profile); the shim's own server span carries the context.
        if InstrumentationSystem.tracer is NoOpTracer { configuration.tracing.tracer = nil }
        self.endpoint = endpoint
        self.timeouts = timeouts
        self.client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }

    /// Sends a buffered request. A caller that leaves before it is sent cancels it; once it may
    /// have been sent it runs to its answer (in a task the caller's cancellation does not reach),
    /// so its outcome is known.
    package func exchange(
        _ request: UpstreamRequest, maxResponseBytes: Int, logger: Logger
    ) async throws(UpstreamError)
        -> BufferedUpstreamResponse
    {
        if Task.isCancelled { throw .cancelled }
        let result = await Task { () async -> Result<BufferedUpstreamResponse, UpstreamError> in
            do throws(UpstreamError) {
                let response = try await execute(request, logger: logger)
                do {
                    let body = try await response.body.collect(upTo: maxResponseBytes)
                    return .success(BufferedUpstreamResponse(status: response.status, headers: response.headers, body: body))
                } catch is NIOTooManyBytesError {
                    return .failure(.responseTooLarge)
                } catch {
                    return .failure(Self.classify(error))
                }
            } catch {
                return .failure(error)
            }
        }.value
        return try result.get()
    }

    /// Sends the call and returns at the answer's head; the body streams from the upstream as it is read.
    package func stream(_ request: UpstreamRequest, logger: Logger) async throws(UpstreamError) -> UpstreamResponse {
        let response = try await execute(request, logger: logger)
        return UpstreamResponse(
            status: response.status, headers: response.headers, body: ResponseBody(asyncSequence: response.body))
    }

    private struct Head: Sendable {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var body: HTTPClientResponse.Body
    }

    private func execute(_ request: UpstreamRequest, logger: Logger) async throws(UpstreamError) -> Head {
        guard let url = endpoint.url(for: request.target) else { throw .invalidRequest }
        var outbound = HTTPClientRequest(url: url)
        outbound.method = HTTPMethod(rawValue: request.method.rawValue)
        outbound.headers = HTTPHeaders(request.headers)
        switch request.body {
        case .none:
            break
        case .bytes(let buffer):
            outbound.body = .bytes(buffer)
        case .stream(let body, let length):
            outbound.body = .stream(body, length: length.map { .known(Int64($0)) } ?? .unknown)
        }
        let deadline = request.deadline ?? NIODeadline.now() + timeouts.request
        var attempt = 0
        while true {
            attempt += 1
            do {
                // The client tags its logger per request (metadata a stream log handler formats at
                // once, 2-3 % of a passthrough request); it logs below `info` only, so it gets no
                // logger unless those levels are on.
                let response = try await client.execute(
                    outbound, deadline: deadline, logger: logger.logLevel <= .debug ? logger : nil
                )
                return Head(
                    status: HTTPResponse.Status(code: Int(response.status.code)),
                    headers: HTTPFields(response.headers, splitCookie: false),
                    body: response.body
                )
            } catch {
                let failure = Self.classify(error)
                // Only a failed connect is retried: nothing of the request can have reached the upstream.
                if failure == .connectFailed, request.retryOnConnectFailure, attempt == 1 {
                    logger.debug("upstream connect failed, retrying once")
                    continue
                }
                throw failure
            }
        }
    }

    /// Sorts client errors into the few cases the shim answers differently. Only errors that happen
    /// before a connection exists count as "nothing sent"; anything else may have reached the vendor.
    static func classify(_ error: any Error) -> UpstreamError {
        if let error = error as? UpstreamError { return error }
        if let error = error as? HTTPClientError {
            // A connect (or TLS handshake) that failed or timed out: the request was never written.
            let beforeSending: [HTTPClientError] = [
                .connectTimeout, .tlsHandshakeTimeout, .getConnectionFromPoolTimeout, .alreadyShutdown,
            ]
            if beforeSending.contains(error) { return .connectFailed }
            if [.deadlineExceeded, .readTimeout, .writeTimeout].contains(error) { return .timeout }
            if [.invalidURL, .emptyHost, .emptyScheme, .traceRequestWithBody].contains(error) { return .invalidRequest }
            return .connectionLost
        }
        if error is NIOConnectionError { return .connectFailed }
        if let error = error as? ChannelError, case .connectTimeout = error { return .connectFailed }
        if let error = error as? IOError, error.errnoCode == ECONNREFUSED { return .connectFailed }
        return .connectionLost
    }
}
