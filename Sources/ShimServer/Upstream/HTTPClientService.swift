public import AsyncHTTPClient
public import ServiceLifecycle

/// Keeps an `HTTPClient` alive for the life of a service group and shuts it down after the
/// services that use it (list it before them in the group).
public struct HTTPClientService: Service {
    public let client: HTTPClient

    public init(client: HTTPClient) {
        self.client = client
    }

    public func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}
