package import Configuration

/// Where `promo-shim sandbox` listens: the keys `sandbox.host` and `sandbox.port`
/// (`SHIM_SANDBOX_HOST`, `SHIM_SANDBOX_PORT`), over these defaults.
package struct SandboxConfiguration: Sendable, Equatable {
    /// Address to listen on.
    package var host = "127.0.0.1"
    /// Port to listen on; 0 picks a free one.
    package var port = 8090

    /// The defaults.
    package init() {}

    /// Reads the keys through `reader` (scoped to ``ConfigurationKey/scope``).
    package init(reader: ConfigReader) throws(ConfigurationError) {
        host = reader.text(.sandboxHost) ?? host
        port = try reader.integer(.sandboxPort) ?? port
    }
}
