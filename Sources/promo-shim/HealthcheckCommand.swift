import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// `promo-shim healthcheck`: asks a running shim's admin listener for `/health` (or another path)
/// and exits 0 when it answers 200, 1 otherwise. For container `HEALTHCHECK`s and exec probes:
/// the runtime image needs no curl.
struct HealthcheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "healthcheck",
        abstract: "Exits 0 when the local admin listener answers 200 on /health (for container health checks)."
    )

    @Option(help: "Admin listener address (env SHIM_HEALTHCHECK_HOST; default 127.0.0.1).")
    var host: String?

    @Option(help: "Admin listener port (env SHIM_ADMIN_PORT, as the shim reads it; default 9901).")
    var port: Int?

    @Option(help: "Path to ask for: /health (alive) or /ready (takes traffic).")
    var path = "/health"

    @Option(help: "Seconds to wait for the answer.")
    var timeoutSeconds: Int64 = 2

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let host = host ?? environment["SHIM_HEALTHCHECK_HOST"] ?? "127.0.0.1"
        let port = try port ?? environment["SHIM_ADMIN_PORT"].map { value in
            guard let port = Int(value) else { throw ValidationError("SHIM_ADMIN_PORT is not a port: \(value)") }
            return port
        } ?? 9901
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
