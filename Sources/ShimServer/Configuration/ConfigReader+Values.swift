package import Configuration

extension ConfigReader {
    // `ConfigReader`'s synchronous getters answer `nil` (or the default) for a value that cannot be
    // converted to the type asked for: `SHIM_PORT=abc` would silently become 8080. The shim has
    // always refused such a value, so these read the typed value first and, when there is none,
    // look for text that failed to convert. They also keep the flag spellings `on` and `off`,
    // which `EnvironmentVariablesProvider` does not decode.

    /// The text of `key`, or `nil` when neither the command line nor the environment sets it.
    package func text(_ key: ConfigurationKey) -> String? {
        string(forKey: key.configKey, isSecret: key == .customerHashKey)
    }

    /// The integer of `key`, or `nil` when unset; text that is not an integer is an error naming
    /// the variable.
    package func integer(_ key: ConfigurationKey) throws(ConfigurationError) -> Int? {
        if let value = int(forKey: key.configKey) { return value }
        guard let text = text(key) else { return nil }
        throw ConfigurationError("\(key.environmentVariable)=\(text) is not an integer")
    }

    /// The flag of `key`, or `nil` when unset: `1`/`true`/`yes`/`on` or `0`/`false`/`no`/`off`, in
    /// any case; other text is an error naming the variable.
    package func flag(_ key: ConfigurationKey) throws(ConfigurationError) -> Bool? {
        if let value = bool(forKey: key.configKey) { return value }
        guard let text = text(key)?.lowercased() else { return nil }
        switch text {
        case "on": return true
        case "off": return false
        default: throw ConfigurationError("\(key.environmentVariable)=\(text) is not a boolean (true/false)")
        }
    }
}
