package import Configuration

/// The admin listener `promo-shim healthcheck` asks: the key `healthcheck.host`
/// (`SHIM_HEALTHCHECK_HOST`) and the shim's own `adminPort` (`SHIM_ADMIN_PORT`, as `serve` reads it).
package struct HealthcheckConfiguration: Sendable {
    /// The admin listener's address.
    package var host = "127.0.0.1"
    /// The admin listener's port: the one `serve` uses by default.
    package var port = ShimConfiguration.defaultAdminPort

    /// The defaults.
    package init() {}

    /// Reads the keys through `reader` (scoped to ``ConfigurationKey/scope``).
    package init(reader: ConfigReader) throws(ConfigurationError) {
        host = reader.text(.healthcheckHost) ?? host
        port = try reader.integer(.adminPort) ?? port
    }
}
