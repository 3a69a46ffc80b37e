import ArgumentParser
import Hummingbird
import Logging
import ShimSandbox
import ShimServer

/// `promo-shim sandbox`: the simulated vendor alone.
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Runs the simulated vendor (bulk directEarn/enrolAndEarn, customer lookup) on its own."
    )

    @Option(help: "Address to listen on (env SHIM_SANDBOX_HOST; default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (env SHIM_SANDBOX_PORT; default 8090).")
    var port: Int?

    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let logger = try logging.makeLogger(label: "promo-shim.sandbox")
        let environment = EnvironmentReader()
        let host = environment.string(host, "SHIM_SANDBOX_HOST") ?? "127.0.0.1"
        let port = try environment.int(port, "SHIM_SANDBOX_PORT", default: 8090)
        let app = Sandbox.application(host: host, port: port, logger: logger) { port in
            logger.notice("sandbox vendor listening on http://\(host):\(port)")
        }
        try await app.runService()
    }
}
