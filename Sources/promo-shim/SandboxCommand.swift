import ArgumentParser
import Configuration
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

    @Option(help: "Address to listen on (env SHIM_SANDBOX_HOST).")
    var host: String?

    @Option(help: "Port to listen on (env SHIM_SANDBOX_PORT).")
    var port: Int?

    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        var values = CommandLineValues()
        values.set(.sandboxHost, host)
        values.set(.sandboxPort, port)
        logging.add(to: &values)
        let reader = ConfigReader.shim(commandLine: values)
        let logger = try LoggingOptions.makeLogger(label: "promo-shim.sandbox", reader: reader)
        let configuration = try SandboxConfiguration(reader: reader)
        let app = Sandbox.application(host: configuration.host, port: configuration.port, logger: logger) { port in
            logger.notice("sandbox vendor listening on http://\(configuration.host):\(port)")
        }
        try await app.runService()
    }
}
