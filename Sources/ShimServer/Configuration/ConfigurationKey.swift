package import Configuration

/// One setting of the shim: its key under the `shim` scope of a `ConfigReader`, the command-line
/// option that sets it and its environment variable. Every key is listed, with its type, default
/// and meaning, in `ShimConfiguration+ConfigReader.swift`.
package struct ConfigurationKey: Sendable, Hashable, CustomStringConvertible {
    /// The scope every key lives under; `EnvironmentVariablesProvider` turns it into the `SHIM_` prefix.
    package static let scope = "shim"

    /// The key relative to ``scope``, dot-separated: `adminPort`, `sandbox.host`.
    package let name: String
    /// The command-line option that sets it, when there is one: `--admin-port`.
    package let option: String?
    /// The environment variable that sets it: `SHIM_` and the key in upper snake case, which is how
    /// `EnvironmentVariablesProvider` encodes `shim.<name>` (a unit test holds every key to that).
    package let environmentVariable: String

    /// A key; `environmentVariable` is stated, not derived, so that a search for it finds the table.
    package init(_ name: String, option: String?, environmentVariable: String) {
        self.name = name
        self.option = option
        self.environmentVariable = environmentVariable
    }

    /// The key as a reader scoped to ``scope`` looks it up.
    package var configKey: ConfigKey { ConfigKey(name) }

    /// The key as providers see it, with the ``scope``: `shim.adminPort`.
    package var absoluteKey: AbsoluteConfigKey { AbsoluteConfigKey([Self.scope] + configKey.components) }

    /// How messages name the setting: `--port (SHIM_PORT)`, or the variable alone.
    package var description: String {
        option.map { "\($0) (\(environmentVariable))" } ?? environmentVariable
    }
}
