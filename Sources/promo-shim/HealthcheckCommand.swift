import ArgumentParser
import AsyncHTTPClient
import Configuration
import NIOCore
import NIOHTTP1
import ShimServer

/// `promo-shim healthcheck`: asks a running shim's admin listener for `/health` (or another path)
/// and exits 0 when it answers 200, 1 otherwise. For container `HEALTHCHECK`s and exec probes:
/// the runtime image needs no curl.
struct HealthcheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "healthcheck",
        abstract: "Exits 0 when the local admin listener answers 200 on /health (for container health checks)."
    )

    @Option(help: "Admin listener address (env SHIM_HEALTHCHECK_HOST).")
    var host: String?

    @Option(help: "Admin listener port (env SHIM_ADMIN_PORT, as the shim reads it).")
    var port: Int?

    @Option(help: "Path to ask for: /health (alive) or /ready (takes traffic).")
    var path = "/health"

    @Option(help: "Seconds to wait for the answer.")
    var timeoutSeconds: Int64 = 2

    func run() async throws {
        var values = CommandLineValues()
        values.set(.healthcheckHost, host)
        values.set(.adminPort, port)
        let target: HealthcheckConfiguration
        do {
            target = try HealthcheckConfiguration(reader: ConfigReader.shim(commandLine: values))
        } catch {
            // A bad port has always been a usage error here (exit 64), unlike "unhealthy" (1).
            throw ValidationError(error.description)
        }
        let (host, port) = (target.host, target.port)
        let authority = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        let request = HTTPClientRequest(url: "http://\(authority)\(path.hasPrefix("/") ? path : "/" + path)")
        let status: UInt
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(timeoutSeconds))
            status = UInt(response.status.code)
        } catch {
            print("unhealthy: \(authority)\(path): \(error)")
            throw ExitCode(1)
        }
        guard status == 200 else {
            print("unhealthy: \(authority)\(path) answered \(status)")
            throw ExitCode(1)
        }
        print("healthy: \(authority)\(path)")
    }
}
