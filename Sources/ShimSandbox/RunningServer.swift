public import Hummingbird
import Logging
import ServiceLifecycle

/// Runs an application for the duration of `body`, handing `body` the port it listens on; the
/// application is shut down gracefully when `body` returns or throws.
///
/// - Parameter makeApplication: Builds the application, given the callback it must call with its
///   port once it listens (pass it as `onServerRunning`).
public func withRunningApplication<App: ApplicationProtocol, Result: Sendable>(
    _ makeApplication: (@escaping @Sendable (Int) async -> Void) -> App,
    body: (Int) async throws -> Result
) async throws -> Result {
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let app = makeApplication { port in continuation.yield(port) }
    let group = ServiceGroup(services: [app], gracefulShutdownSignals: [], logger: app.logger)
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask {
            defer { continuation.finish() }
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            try await tasks.next()
            throw CancellationError()
        }
        let result: Swift.Result<Result, any Error>
        do {
            result = .success(try await body(port))
        } catch {
            result = .failure(error)
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
        return try result.get()
    }
}
