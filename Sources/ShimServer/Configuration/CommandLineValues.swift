package import Configuration

/// The options a command line gave, by key: the first provider of ``Configuration/ConfigReader/shim(commandLine:environment:)``.
/// An option the command line left out is absent, so the environment and then the default decide.
package struct CommandLineValues: Sendable {
    /// The values, under their absolute keys (`shim.port`).
    package private(set) var values: [AbsoluteConfigKey: ConfigValue] = [:]

    /// No options.
    package init() {}

    /// A string option, when given.
    package mutating func set(_ key: ConfigurationKey, _ value: String?) {
        if let value { values[key.absoluteKey] = ConfigValue(.string(value), isSecret: key == .customerHashKey) }
    }

    /// An integer option, when given.
    package mutating func set(_ key: ConfigurationKey, _ value: Int?) {
        if let value { values[key.absoluteKey] = ConfigValue(.int(value), isSecret: false) }
    }

    /// A flag with an inversion (`--watch-mappings` / `--no-watch-mappings`), when either was given.
    package mutating func set(_ key: ConfigurationKey, _ value: Bool?) {
        if let value { values[key.absoluteKey] = ConfigValue(.bool(value), isSecret: false) }
    }

    /// A flag without an inversion (`--sandbox`): given means on; absent leaves it to the environment.
    package mutating func set(_ key: ConfigurationKey, flag: Bool) {
        if flag { values[key.absoluteKey] = ConfigValue(.bool(true), isSecret: false) }
    }
}
