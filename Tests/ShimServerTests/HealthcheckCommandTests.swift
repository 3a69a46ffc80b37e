import Foundation
import ShimServer
import Testing

/// `promo-shim healthcheck`, the container's `HEALTHCHECK`: 0 against a running shim's admin
/// listener, 1 when nothing answers there.
@Suite("healthcheck command (process)", .timeLimit(.minutes(2)))
struct HealthcheckCommandTests {
    /// Runs `promo-shim healthcheck` with `arguments` and returns its exit status.
    static func healthcheck(_ arguments: [String]) async throws -> Int32 {
        let process = Process()
        process.executableURL = ShimProcess.executable
        process.arguments = ["healthcheck"] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        return try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
    }

    @Test("Exits 0 when the admin listener answers /health and /ready, 1 when nothing listens")
    func healthyAndUnhealthy() async throws {
        let child = try ShimChild(arguments: ["--sandbox"])
        let ports = try await child.ports()
        let health = try await Self.healthcheck(["--port", String(ports.admin)])
        let ready = try await Self.healthcheck(["--port", String(ports.admin), "--path", "/ready"])
        let refused = try await withRefusingPort { port in try await Self.healthcheck(["--port", String(port)]) }
        #expect(health == 0)
        #expect(ready == 0)
        #expect(refused == 1)
        child.send(SIGTERM)
        _ = await child.exitStatus(within: .seconds(20))
    }
}
