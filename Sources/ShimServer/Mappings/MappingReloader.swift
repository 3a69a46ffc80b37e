import Logging
import ServiceLifecycle
import UnixSignals

/// Reloads the mappings on SIGHUP (SIGUSR1 is the usage log's, as in nginx).
struct MappingReloader: Service {
    let store: MappingStore
    let logger: Logger

    func run() async throws {
        guard store.directory != nil else {
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown {
            for await _ in await UnixSignalsSequence(trapping: .sighup) {
                store.reload(logger: logger)
            }
        }
    }
}
