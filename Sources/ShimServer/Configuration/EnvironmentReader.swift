import Foundation

/// Resolves an option from the command line first, then its `SHIM_*` environment variable, then
/// its default; a malformed environment value is an error naming the variable.
public struct EnvironmentReader: Sendable {
    private let environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// A string option, or `nil` when neither the command line nor the environment sets it.
    public func string(_ commandLine: String?, _ variable: String) -> String? {
        if let commandLine { return commandLine }
        guard let value = environment[variable], !value.isEmpty else { return nil }
        return value
    }

    /// An integer option.
    public func int(_ commandLine: Int?, _ variable: String, default defaultValue: Int) throws(ConfigurationError) -> Int {
        if let commandLine { return commandLine }
        guard let text = string(nil, variable) else { return defaultValue }
        guard let value = Int(text) else { throw ConfigurationError("\(variable)=\(text) is not an integer") }
        return value
    }

    /// A boolean flag: set on the command line, or `1`/`true`/`yes` in the environment (`0`/`false`/
    /// `no` turn it off); `defaultValue` when neither sets it.
    public func flag(
        _ commandLine: Bool, _ variable: String, default defaultValue: Bool = false
    ) throws(ConfigurationError) -> Bool {
        if commandLine { return true }
        guard let text = string(nil, variable)?.lowercased() else { return defaultValue }
        switch text {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigurationError("\(variable)=\(text) is not a boolean (true/false)")
        }
    }
}
