import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ShimServer

/// A response as a test sees it.
struct TestResponse: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as a JSON object.
    var json: [String: Any] {
        ((try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]) ?? [:]
    }

    /// The codes of the legacy `errors` list.
    var errorCodes: [Int] { (json["errors"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? Int } }
}

/// The tests' client: enough pooled connections that a few hundred concurrent calls are truly
/// concurrent at the shim (the shared client keeps 8 per host).
let testClient: HTTPClient = {
    var configuration = HTTPClient.Configuration()
    configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 512
    return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
}()

/// Sends one request over a real socket.
func send(
    _ method: HTTPMethod,
    _ url: String,
    headers: [(String, String)] = [],
    body: [UInt8]? = nil,
    timeout: TimeAmount = .seconds(10)
) async throws -> TestResponse {
    var request = HTTPClientRequest(url: url)
    request.method = method
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
    let response = try await testClient.execute(request, timeout: timeout)
    let bytes = try await response.body.collect(upTo: 64 << 20)
    return TestResponse(status: Int(response.status.code), headers: response.headers, body: Array(bytes.readableBytesView))
}

/// Basic credentials of the sandbox's demo till.
let tillAuthorization = ("Authorization", "Basic " + Data("till:secret".utf8).base64EncodedString())

/// Sends a legacy issue call.
func issue(
    _ baseURL: String,
    query: String,
    body: String = #"{"programId":469,"promotionId":65777}"#,
    headers: [(String, String)] = [tillAuthorization],
    timeout: TimeAmount = .seconds(10)
) async throws -> TestResponse {
    try await send(
        .POST,
        "\(baseURL)/v2/promotion/issue?\(query)",
        headers: headers + [("Content-Type", "application/json")],
        body: Array(body.utf8),
        timeout: timeout
    )
}
