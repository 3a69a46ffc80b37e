import ArgumentParser
import Configuration
import Logging
import ShimServer

/// Application logging: always to stderr (stdout is kept for the usage log), at a chosen level.
struct LoggingOptions: ParsableArguments {
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (env SHIM_LOG_LEVEL).")
    var logLevel: String?

    /// Adds the options given to the command's values.
    func add(to values: inout CommandLineValues) {
        values.set(.logLevel, logLevel)
    }

    /// Bootstraps swift-log once, at the level `reader` reads (``LoggingConfiguration``), and returns
    /// the application logger.
    static func makeLogger(label: String, reader: ConfigReader) throws -> Logger {
        let level: Logger.Level
        do {
            level = try LoggingConfiguration(reader: reader).level
        } catch {
            throw error.forCommandLine
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: label)
    }
}
