import Foundation
import ShimServer
import Testing

/// Out-of-range options stop `promo-shim serve` with a message and a non-zero exit before any
/// listener starts.
@Suite("Start-up validation (process)", .timeLimit(.minutes(3)))
struct StartupValidationTests {
    @Test(
        "An out-of-range option is refused with a message naming it",
        arguments: [
            (["--port", "70000"], "--port"),
            (["--admin-port=-1"], "--admin-port"),
            (["--read-timeout-ms", "0"], "--read-timeout-ms"),
            (["--connect-timeout-ms=-1"], "--connect-timeout-ms"),
            (["--request-timeout-ms", "0"], "--request-timeout-ms"),
            (["--max-body-bytes=-5"], "--max-body-bytes"),
            (["--max-passthrough-body-bytes", "0"], "--max-passthrough-body-bytes"),
            (["--max-concurrent-upstream", "0"], "--max-concurrent-upstream"),
            (["--max-queued-upstream=-1"], "--max-queued-upstream"),
            (["--shutdown-timeout-seconds", "0"], "--shutdown-timeout-seconds"),
            (["--coalesce-window-ms=-1"], "--coalesce-window-ms"),
            (["--coalesce-max", "101"], "--coalesce-max"),
        ]
    )
    func refused(arguments: [String], option: String) async throws {
        let child = try ShimChild(arguments: ["--sandbox"] + arguments)
        let status = await child.exitStatus(within: .seconds(20))
        #expect(status != nil && status != 0, "\(arguments) was accepted")
        #expect(child.log.contains(option), "the message does not name \(option): \(child.log.suffix(500))")
        #expect(!FileManager.default.fileExists(atPath: child.portsPath), "it started listening")
    }
}

/// `deprecation.yaml` is checked against the sunset date before anything starts, by `serve` and by
/// `promo-shim mappings check --sunset-date`.
@Suite("Deprecation table against the sunset date (process)", .timeLimit(.minutes(3)))
struct DeprecationTableCheckTests {
    static let pastSunset = """
        brownouts:
          - { start: 2027-06-29T00:00:00Z, end: 2027-07-01T00:00:00Z, mode: enforce }

        """

    /// Runs `promo-shim` with `arguments`; its exit status and standard error.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = ShimProcess.executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        process.standardError = output
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    @Test("mappings check refuses a window past the sunset date with file and line, and accepts it without one")
    func mappingsCheck() throws {
        let directory = try BrownoutTests.mappingsDirectory(deprecation: Self.pastSunset)
        let (refused, message) = try Self.run(["mappings", "check", directory, "--sunset-date", "2027-06-30T00:00:00Z"])
        #expect(refused != 0)
        #expect(message.contains(directory + "/deprecation.yaml:2"), "\(message)")
        #expect(message.contains("past the sunset date"), "\(message)")
        let (fromEnvironment, _) = try Self.run(
            ["mappings", "check", directory], environment: ["SHIM_SUNSET_DATE": "2027-06-30"])
        #expect(fromEnvironment != 0)
        let (accepted, summary) = try Self.run(["mappings", "check", directory], environment: ["SHIM_SUNSET_DATE": ""])
        #expect(accepted == 0, "\(summary)")
        #expect(summary.contains("deprecation: 1 brownout window(s)"))
    }

    @Test("serve refuses to start with a window past its sunset date")
    func serveRefuses() async throws {
        let directory = try BrownoutTests.mappingsDirectory(deprecation: Self.pastSunset)
        let child = try ShimChild(arguments: ["--sandbox", "--mappings", directory, "--sunset-date", "2027-06-30"])
        let status = await child.exitStatus(within: .seconds(20))
        #expect(status != nil && status != 0)
        #expect(child.log.contains("deprecation.yaml:2"), "\(child.log.suffix(500))")
        #expect(!FileManager.default.fileExists(atPath: child.portsPath), "it started listening")
    }
}
