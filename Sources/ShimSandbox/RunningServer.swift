public import Hummingbird

/// Runs an application in a child task for the duration of `body`, handing `body` the port it
/// listens on; the application is stopped when `body` returns or throws.
///
/// - Parameter makeApplication: Builds the application, given the callback it must call with its
///   port once it listens (pass it as `onServerRunning`).
public func withRunningApplication<App: ApplicationProtocol, Result: Sendable>(
    _ makeApplication: (@escaping @Sendable (Int) async -> Void) -> App,
    body: (Int) async throws -> Result
) async throws -> Result {
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let app = makeApplication { port in continuation.yield(port) }
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            defer { continuation.finish() }
            try await app.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            try await group.next()
            throw CancellationError()
        }
        do {
            let result = try await body(port)
            group.cancelAll()
            return result
        } catch {
            group.cancelAll()
            throw error
        }
    }
}
