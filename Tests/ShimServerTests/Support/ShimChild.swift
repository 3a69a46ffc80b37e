import Foundation
import ShimServer
import Testing

/// A `promo-shim serve` child process whose exit status, log and signals a test inspects itself
/// (``withShimProcess`` expects exit status 0 and hides the log).
final class ShimChild {
    let process: Process
    let logPath: String
    /// Where the child writes its ports (`--ports-file`).
    let portsPath: String
    private let exit = ProcessExit()

    /// Starts `promo-shim serve` on port 0 (admin too) with the shipped mappings and `arguments`.
    /// `environment` is added to the test's own environment.
    init(arguments: [String], environment: [String: String] = [:], logLevel: String = "notice") throws {
        logPath =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("promo-shim-child-\(UUID().uuidString).log").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        portsPath = logPath + ".ports"
        let stderr = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        defer { try? stderr.close() }
        let mappings = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("mappings").path
        process = Process()
        process.executableURL = ShimProcess.executable
        process.arguments =
            [
                "serve", "--port", "0", "--admin-port", "0", "--log-level", logLevel, "--mappings", mappings,
                "--drain-delay-seconds", "0", "--ports-file", portsPath,
            ] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = stderr
        let exit = self.exit
        process.terminationHandler = { exit.finish($0.terminationStatus) }
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(atPath: logPath)
        try? FileManager.default.removeItem(atPath: portsPath)
    }

    var pid: Int32 { process.processIdentifier }

    /// Everything the child has logged so far.
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// The ports it announces once both listeners run (throws if it exits first or takes over 60 s).
    func ports() async throws -> ShimPorts {
        try await announcedPorts(in: portsPath, of: process, log: logPath)
    }

    /// Sends `signal` to the child.
    func send(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Its exit status, or nil if it had not exited within `limit` (it is then killed).
    func exitStatus(within limit: Duration) async -> Int32? {
        await exit.status(within: limit, orKill: process)
    }

    /// Whether the child has exited (without waiting).
    var hasExited: Bool { !process.isRunning }

    /// Signals the child ignores or catches, from `/proc/PID/status` (`SigIgn` | `SigCgt`).
    func handledSignals() -> UInt64 {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        var mask: UInt64 = 0
        for line in status.split(separator: "\n") where line.hasPrefix("SigIgn:") || line.hasPrefix("SigCgt:") {
            mask |= UInt64(line.split(separator: "\t").last.map(String.init) ?? "0", radix: 16) ?? 0
        }
        return mask
    }
}

/// Polls `condition` every 20 ms until it holds or `limit` passes; returns whether it held.
func eventually(within limit: Duration = .seconds(30), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}
