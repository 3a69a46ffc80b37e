import NIOCore
import NIOHTTP1
import NIOPosix

/// Runs a NIO server on a free loopback port for the duration of `body`, which gets its base URL,
/// then closes it.
func withLoopbackServer<Result: Sendable>(
    childChannelInitializer: @escaping @Sendable (any Channel) -> EventLoopFuture<Void>,
    _ body: (String) async throws -> Result
) async throws -> Result {
    let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelInitializer(childChannelInitializer)
        .bind(host: "127.0.0.1", port: 0).get()
    do {
        let result = try await body("http://127.0.0.1:\(server.localAddress!.port!)")
        try await server.close()
        return result
    } catch {
        try? await server.close()
        throw error
    }
}

/// Runs a NIO HTTP/1.1 server on a free loopback port for the duration of `body`: each connection
/// gets NIO's server pipeline and a handler from `makeHandler`.
func withHTTPLoopbackServer<Result: Sendable>(
    makeHandler: @escaping @Sendable () -> any ChannelHandler,
    _ body: (String) async throws -> Result
) async throws -> Result {
    try await withLoopbackServer(
        childChannelInitializer: { channel in
            channel.pipeline.configureHTTPServerPipeline().flatMapThrowing {
                try channel.pipeline.syncOperations.addHandler(makeHandler())
            }
        }, body)
}
