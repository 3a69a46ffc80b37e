import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOEmbedded
import ShimSandbox
import ShimServer

extension InMemoryUpstream {
    /// The sandbox vendor in memory: every request goes through the sandbox's own router (its
    /// credentials, bulk calls and lookups over the demo data), as Hummingbird's router tests do,
    /// with no socket on either side.
    static func sandbox() -> InMemoryUpstream {
        let responder = Sandbox.router().buildResponder()
        let logger = Logger(label: "promo-shim.test.sandbox")
        return InMemoryUpstream { recorded in
            var head = HTTPRequest(
                method: recorded.method, scheme: "http", authority: "sandbox",
                path: recorded.path + (recorded.query.map { "?" + $0 } ?? "")
            )
            head.headerFields = recorded.headers
            let request = Request(head: head, body: RequestBody(buffer: ByteBuffer(bytes: recorded.body)))
            let context = BasicRequestContext(source: .init(channel: NIOAsyncTestingChannel(), logger: logger))
            let response: Response
            do {
                response = try await responder.respond(to: request, context: context)
            } catch {
                response = Response(status: (error as? any HTTPResponseError)?.status ?? .internalServerError)
            }
            let body = BodyCollector()
            try? await response.body.write(body)
            return BufferedUpstreamResponse(status: response.status, headers: response.headers, body: body.bytes)
        }
    }
}

/// Keeps the bytes a Hummingbird response body writes.
private final class BodyCollector: ResponseBodyWriter {
    var bytes = ByteBuffer()

    func write(_ buffer: ByteBuffer) async throws {
        bytes.writeImmutableBuffer(buffer)
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
