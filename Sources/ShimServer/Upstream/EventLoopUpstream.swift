import AsyncHTTPClient
import HTTPTypes
import Hummingbird
package import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1
import NIOPosix
import Synchronization

/// The shim's upstream: the translation path's small buffered exchanges with a plain-http upstream
/// go over keep-alive connections on the caller's own event loop (``EventLoopConnectionPool``);
/// https upstreams and streamed passthrough calls go through AsyncHTTPClient, whose generality
/// (TLS, streaming with back-pressure) pays there.
///
/// Profiles of the translation path put most of a call's time in AsyncHTTPClient's request
/// machinery and in the thread hops between the server's and the client's event loops; this keeps
/// a call on one loop from the caller's request to the answer.
package struct EventLoopUpstream: Upstream {
    /// The configured upstream every request goes to.
    package let endpoint: UpstreamEndpoint
    /// The timeouts of every upstream call.
    package let timeouts: HTTPClientUpstream.Timeouts
    /// The client for the translation path's calls to an https upstream.
    package let general: HTTPClientUpstream
    /// The client for passthrough, a pool of its own: answers streaming to slow readers hold its
    /// connections, never the translation path's.
    package let streaming: HTTPClientUpstream
    private let pools: Pools?
    private let shutDown = ShutdownFlag()

    private final class ShutdownFlag: Sendable {
        private let value = Atomic(false)
        /// Sets the flag; returns whether it was already set.
        func set() -> Bool { value.exchange(true, ordering: .relaxed) }
    }
    private let hostHeader: String

    /// One pool per event loop of the group, fixed at creation.
    private final class Pools: Sendable {
        let group: MultiThreadedEventLoopGroup
        let byLoop: [ObjectIdentifier: EventLoopConnectionPool]

        init(group: MultiThreadedEventLoopGroup, make: (any EventLoop) -> EventLoopConnectionPool) {
            self.group = group
            var byLoop: [ObjectIdentifier: EventLoopConnectionPool] = [:]
            for loop in group.makeIterator() {
                byLoop[ObjectIdentifier(loop)] = make(loop)
            }
            self.byLoop = byLoop
        }

        /// The pool of the current event loop when called on one of the group's, else any.
        func pool() -> EventLoopConnectionPool {
            byLoop[ObjectIdentifier(group.any())]!
        }
    }

    /// - Parameters:
    ///   - maxConnections: AsyncHTTPClient's connection pool size, and the most idle keep-alive
    ///     connections the event-loop pools keep open between them. Size it like the concurrency
    ///     limiter, so a call admitted by the limiter never waits for a connection.
    ///   - verifyCertificates: Verify an https upstream's certificate chain and host name.
    ///   - maxStreamingConnections: Connections of the passthrough client; size it like the
    ///     passthrough limiter.
    package init(
        endpoint: UpstreamEndpoint, timeouts: HTTPClientUpstream.Timeouts = .init(), maxConnections: Int = 64,
        maxStreamingConnections: Int = 64, verifyCertificates: Bool = true, logger: Logger
    ) {
        self.endpoint = endpoint
        self.timeouts = timeouts
        self.general = HTTPClientUpstream(
            endpoint: endpoint, timeouts: timeouts, maxConnections: maxConnections,
            verifyCertificates: verifyCertificates
        )
        self.streaming = HTTPClientUpstream(
            endpoint: endpoint, timeouts: timeouts, maxConnections: maxStreamingConnections,
            verifyCertificates: verifyCertificates
        )
        let group = MultiThreadedEventLoopGroup.singleton
        let loops = Array(group.makeIterator()).count
        if endpoint.scheme == "http" {
            self.pools = Pools(group: group) { loop in
                EventLoopConnectionPool(
                    eventLoop: loop, host: endpoint.host, port: endpoint.port, connectTimeout: timeouts.connect,
                    readTimeout: timeouts.read, maxIdle: (maxConnections + loops - 1) / max(1, loops),
                    idleTimeout: timeouts.idle, logger: logger
                )
            }
        } else {
            self.pools = nil
        }
        let host = endpoint.host.contains(":") ? "[\(endpoint.host)]" : endpoint.host
        self.hostHeader = endpoint.port == 80 ? host : "\(host):\(endpoint.port)"
    }

    /// Sends a buffered request on the current event loop's keep-alive pool when the upstream is plain
    /// http; https upstreams and streamed bodies go through ``general``.
    package func exchange(
        _ request: UpstreamRequest, maxResponseBytes: Int, logger: Logger
    ) async throws(UpstreamError)
        -> BufferedUpstreamResponse
    {
        let body: ByteBuffer?
        switch request.body {
        case .none: body = nil
        case .bytes(let bytes): body = bytes
        case .stream: return try await general.exchange(request, maxResponseBytes: maxResponseBytes, logger: logger)
        }
        guard let pools else {
            return try await general.exchange(request, maxResponseBytes: maxResponseBytes, logger: logger)
        }
        let head = try self.head(of: request, bodyLength: body?.readableBytes ?? 0)
        if Task.isCancelled { throw .cancelled }
        let pool = pools.pool()
        let promise = pool.eventLoop.makePromise(of: BufferedUpstreamResponse.self)
        let deadline = request.deadline ?? NIODeadline.now() + timeouts.request
        let retry = request.retryOnConnectFailure
        let id = Self.callIDs.wrappingAdd(1, ordering: .relaxed).newValue
        let send: @Sendable () -> Void = {
            pool.send(
                id: id, head: head, body: body, maxResponseBytes: maxResponseBytes, deadline: deadline,
                retryOnConnectFailure: retry, promise: promise
            )
        }
        if pool.eventLoop.inEventLoop {
            send()
        } else {
            pool.eventLoop.execute(send)
        }
        do {
            return try await withTaskCancellationHandler {
                try await promise.futureResult.get()
            } onCancel: {
                pool.eventLoop.execute { pool.cancel(id: id) }
            }
        } catch let error as UpstreamError {
            throw error
        } catch {
            throw .connectionLost
        }
    }

    /// Numbers the calls, so a cancelled one can be found among the waiting.
    private static let callIDs = Atomic<UInt64>(0)

    /// Streams the call over the current event loop's keep-alive pool when the upstream is plain
    /// http: the request body is written as the caller sends it and as fast as the upstream takes
    /// it, and the answer's body is read from the upstream as fast as the caller reads it. https
    /// upstreams go through the passthrough client, ``streaming``.
    package func stream(_ request: UpstreamRequest, logger: Logger) async throws(UpstreamError) -> UpstreamResponse {
        guard let pools else { return try await streaming.stream(request, logger: logger) }
        let streamedBody: RequestBody?
        let head: HTTPRequestHead
        switch request.body {
        case .none:
            streamedBody = nil
            head = try self.head(of: request, bodyLength: 0)
        case .bytes(let bytes):
            streamedBody = RequestBody(buffer: bytes)
            head = try self.head(of: request, bodyLength: bytes.readableBytes)
        case .stream(let body, let length):
            streamedBody = body
            head = try self.head(of: request, bodyLength: length)
        }
        if Task.isCancelled { throw .cancelled }
        let pool = pools.pool()
        let started = streamedBody.map { _ in pool.eventLoop.makePromise(of: UpstreamBodySink.self) }
        let answered = pool.eventLoop.makePromise(of: StreamedUpstreamAnswer.self)
        let call = StreamedUpstreamCall(
            head: head, hasBody: streamedBody != nil,
            deadline: request.deadline ?? NIODeadline.now() + timeouts.request,
            started: started, answered: answered
        )
        if let streamedBody, let started {
            UpstreamBodyPump.start(streamedBody, once: started.futureResult, executor: pool.executor)
        }
        let retry = request.retryOnConnectFailure
        let id = Self.callIDs.wrappingAdd(1, ordering: .relaxed).newValue
        pool.eventLoop.runOnLoop { pool.send(id: id, call, retryOnConnectFailure: retry) }
        do {
            let answer = try await withTaskCancellationHandler {
                try await answered.futureResult.get()
            } onCancel: {
                pool.eventLoop.execute { pool.cancel(id: id) }
            }
            let body: ResponseBody
            switch answer.body {
            case .whole(let bytes): body = ResponseBody(byteBuffer: bytes)
            case .streaming(let parts): body = ResponseBody(asyncSequence: parts)
            }
            return UpstreamResponse(status: answer.status, headers: answer.headers, body: body)
        } catch let error as UpstreamError {
            throw error
        } catch {
            throw .connectionLost
        }
    }

    /// The head of `request` for a pooled connection: the configured base path and `Host`, and the
    /// body framed by `Content-Length` (`bodyLength`; `nil`: chunked).
    private func head(of request: UpstreamRequest, bodyLength: Int?) throws(UpstreamError) -> HTTPRequestHead {
        guard UpstreamEndpoint.isOriginForm(request.target) else { throw .invalidRequest }
        var headers = HTTPHeaders(request.headers)
        headers.replaceOrAdd(name: "host", value: hostHeader)
        if let bodyLength {
            if bodyLength > 0 || request.method == .post || request.method == .put || request.method == .patch {
                headers.replaceOrAdd(name: "content-length", value: String(bodyLength))
            }
        } else {
            headers.replaceOrAdd(name: "transfer-encoding", value: "chunked")
        }
        return HTTPRequestHead(
            version: .http1_1, method: HTTPMethod(rawValue: request.method.rawValue),
            uri: endpoint.basePath + request.target, headers: headers
        )
    }

    /// Closes the pooled connections, then shuts AsyncHTTPClient down. Only the first call does
    /// anything (the drain deadline and the service that owns the upstream may both call it).
    package func shutdown() async throws {
        guard !shutDown.set() else { return }
        if let pools {
            for pool in pools.byLoop.values {
                try? await pool.shutdown().get()
            }
        }
        try await general.client.shutdown()
        try await streaming.client.shutdown()
    }
}
