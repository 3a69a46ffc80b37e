package import Configuration
package import Logging

/// The application log's level: the key `logLevel` (`--log-level`, `SHIM_LOG_LEVEL`), `info` by default.
package struct LoggingConfiguration: Sendable {
    /// The lowest level logged.
    package var level: Logger.Level = .info

    /// The defaults.
    package init() {}

    /// Reads the key through `reader` (scoped to ``ConfigurationKey/scope``); refuses an unknown level.
    package init(reader: ConfigReader) throws(ConfigurationError) {
        guard let text = reader.text(.logLevel) else { return }
        guard let level = Logger.Level(rawValue: text) else {
            throw .refused("log level '\(text)' is not one of trace, debug, info, notice, warning, error, critical")
        }
        self.level = level
    }
}
