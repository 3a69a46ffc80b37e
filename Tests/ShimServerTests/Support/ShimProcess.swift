import Foundation
import ShimServer
import NIOCore
import NIOHTTP1
import NIOPosix

/// A `promo-shim serve` child process, for what must be measured or signalled apart from the tests.
struct ShimProcess {
    let process: Process
    let ports: ShimPorts

    var proxyURL: String { ports.proxyURL }

    /// Peak resident set size of the process so far, in MB (Linux `VmHWM`).
    func peakResidentMegabytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return 0 }
        return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
    }

    /// The built `promo-shim` executable, next to the test bundle.
    static var executable: URL {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !directory.path.hasSuffix("/debug") && !directory.path.hasSuffix("/release") && directory.path != "/" {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("promo-shim")
    }
}

/// Runs `promo-shim serve` on free loopback ports for the duration of `body`, then SIGTERMs it
/// and waits for it to exit.
func withShimProcess<Result: Sendable>(
    arguments: [String],
    body: (ShimProcess) async throws -> Result
) async throws -> Result {
    let proxy = try await freePort()
    let admin = try await freePort()
    let process = Process()
    process.executableURL = ShimProcess.executable
    let mappings = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("mappings").path
    process.arguments =
        ["serve", "--port", "\(proxy)", "--admin-port", "\(admin)", "--log-level", "warning", "--mappings", mappings]
        + arguments
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    let shim = ShimProcess(process: process, ports: ShimPorts(proxy: proxy, admin: admin))
    defer {
        if process.isRunning { process.terminate() }
    }
    for _ in 0..<100 {
        guard process.isRunning else { throw ShimProcessExited(status: process.terminationStatus) }
        if (try? await send(.GET, "\(shim.ports.adminURL)/health", timeout: .seconds(1)))?.status == 200 { break }
        try await Task.sleep(for: .milliseconds(50))
    }
    let result = try await body(shim)
    process.terminate()
    process.waitUntilExit()
    return result
}

/// A loopback port nothing listens on right now.
func freePort() async throws -> Int {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .bind(host: "127.0.0.1", port: 0).get()
    let port = channel.localAddress!.port!
    try await channel.close()
    return port
}

/// The shim process stopped before it served.
struct ShimProcessExited: Error {
    var status: Int32
}
