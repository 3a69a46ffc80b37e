import Logging
import ServiceLifecycle
import UnixSignals

/// SIGUSR1, logrotate's usual signal: reopens the usage log, or is a logged no-op without one.
///
/// It runs whatever is configured, so SIGUSR1 never kills the shim (`promo-shim serve` also sets
/// SIGUSR1 and SIGHUP to ignored before anything else, for the moments before this service runs).
struct ReopenSignalListener: Service {
    let usageLog: UsageLog?
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            for await _ in await UnixSignalsSequence(trapping: .sigusr1) {
                if let usageLog {
                    usageLog.requestReopen()
                } else {
                    logger.notice("SIGUSR1 ignored: no usage log to reopen")
                }
            }
        }
    }
}
