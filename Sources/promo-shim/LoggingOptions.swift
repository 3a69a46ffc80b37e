import ArgumentParser
import Logging
import ShimServer

/// Application logging: always to stderr (stdout is kept for the usage log), at a chosen level.
struct LoggingOptions: ParsableArguments {
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (env SHIM_LOG_LEVEL; default info).")
    var logLevel: String?

    /// Bootstraps swift-log once and returns the application logger.
    func makeLogger(label: String) throws -> Logger {
        let text = EnvironmentReader().string(logLevel, "SHIM_LOG_LEVEL") ?? "info"
        guard let level = Logger.Level(rawValue: text) else {
            throw ValidationError("log level '\(text)' is not one of trace, debug, info, notice, warning, error, critical")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: label)
    }
}
