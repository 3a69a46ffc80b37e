import Hummingbird
import NIOCore

/// Reads the caller's body and writes it upstream, one part at a time: the next part is read only
/// once the last is in the kernel, so an upstream that reads slowly holds the caller to its pace.
enum UpstreamBodyPump {
    /// Starts the pump as a task on `executor`; it waits for the connection, then writes `body`.
    static func start(
        _ body: RequestBody, once started: EventLoopFuture<UpstreamBodySink>, executor: any TaskExecutor
    ) {
        Task(executorPreference: executor) {
            // Never started: the call was not sent, and its body is left unread.
            guard let sink = try? await started.get() else { return }
            do {
                for try await part in body {
                    try await sink.write(part).get()
                }
                try await sink.end().get()
            } catch {
                sink.abort()
            }
        }
    }
}
