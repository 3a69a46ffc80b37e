import ArgumentParser

/// The `promo-shim` command: the proxy, the standalone sandbox vendor, and operator tools.
@main
struct PromoShim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promo-shim",
        abstract: "Serves the deprecated POST /v2/promotion/issue over the vendor's bulk API.",
        subcommands: [
            ServeCommand.self, SandboxCommand.self, ReportCommand.self, MappingsCommand.self, CompareCommand.self,
            NoopServerCommand.self, HealthcheckCommand.self,
        ]
    )
}
