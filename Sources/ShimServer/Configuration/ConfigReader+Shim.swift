package import Configuration
import Foundation

extension ConfigReader {
    /// The reader of every `promo-shim` command, with one precedence: the options given on the
    /// command line, then the environment, then (in each `init(reader:)`) the defaults. Scoped to
    /// ``ConfigurationKey/scope``, so `port` is `--port`, then `SHIM_PORT`.
    ///
    /// An empty environment variable counts as unset, as it always has for the shim (a manifest may
    /// set `SHIM_UPSTREAM: ""`); `EnvironmentVariablesProvider` would read it as an empty string
    /// (or refuse it as a number), so empty variables are left out before it sees them. The
    /// customer-hash key is marked secret, so access logs redact it.
    package static func shim(
        commandLine: CommandLineValues = CommandLineValues(),
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> ConfigReader {
        ConfigReader(providers: [
            InMemoryProvider(name: "command line", values: commandLine.values),
            EnvironmentVariablesProvider(
                environmentVariables: environment.filter { !$0.value.isEmpty },
                secretsSpecifier: .specific([ConfigurationKey.customerHashKey.environmentVariable])
            ),
        ]).scoped(to: ConfigKey(ConfigurationKey.scope))
    }
}
