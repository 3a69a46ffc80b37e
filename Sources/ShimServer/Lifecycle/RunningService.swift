package import Hummingbird
package import Logging
package import ServiceLifecycle

/// Runs `service` for the duration of `body`, then shuts it down gracefully (no signal handling):
/// the one way the project runs a server for a closure (the shim in-process, the sandbox, tests).
///
/// - Parameters:
///   - untilReady: Waits until the service listens and returns what `body` needs (its ports);
///     `nil` when the service stopped first.
///   - onStopped: Called once the service stopped, so `untilReady` can give up (finish its streams).
package func withRunningService<Ready: Sendable, Result: Sendable>(
    _ service: some Service,
    logger: Logger,
    untilReady: () async -> Ready?,
    onStopped: @escaping @Sendable () -> Void,
    body: (Ready) async throws -> Result
) async throws -> Result {
    let group = ServiceGroup(services: [service], gracefulShutdownSignals: [], logger: logger)
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask {
            defer { onStopped() }
            try await group.run()
        }
        guard let ready = await untilReady() else {
            try await tasks.next()
            throw CancellationError()
        }
        let result: Swift.Result<Result, any Error>
        do {
            result = .success(try await body(ready))
        } catch {
            result = .failure(error)
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
        return try result.get()
    }
}

/// Runs a Hummingbird application for the duration of `body`, handing `body` the port it listens
/// on; the application is shut down gracefully when `body` returns or throws.
///
/// - Parameter makeApplication: Builds the application, given the callback it must call with its
///   port once it listens (pass it as `onServerRunning`).
package func withRunningApplication<App: ApplicationProtocol, Result: Sendable>(
    _ makeApplication: (@escaping @Sendable (Int) async -> Void) -> App,
    body: (Int) async throws -> Result
) async throws -> Result {
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let app = makeApplication { port in continuation.yield(port) }
    var iterator = ports.makeAsyncIterator()
    return try await withRunningService(
        app, logger: app.logger, untilReady: { await iterator.next() }, onStopped: { continuation.finish() }, body: body
    )
}
