public import Configuration
public import Logging

/// The application log's level: the key `logLevel` (`--log-level`, `SHIM_LOG_LEVEL`), `info` by default.
public struct LoggingConfiguration: Sendable, Equatable {
    /// The lowest level logged.
    public var level: Logger.Level = .info

    /// The defaults.
    public init() {}

    /// Reads the key through `reader` (scoped to ``ConfigurationKey/scope``); refuses an unknown level.
    public init(reader: ConfigReader) throws(ConfigurationError) {
        guard let text = reader.text(.logLevel) else { return }
        guard let level = Logger.Level(rawValue: text) else {
            throw .refused("log level '\(text)' is not one of trace, debug, info, notice, warning, error, critical")
        }
        self.level = level
    }
}
