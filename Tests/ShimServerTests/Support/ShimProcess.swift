import Foundation
import ShimServer
import Synchronization
import Testing

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

/// Runs `promo-shim serve` for the duration of `body`, then SIGTERMs it and expects exit status 0.
/// `environment` is added to the test's own environment for the child.
///
/// The child binds port 0 and writes the ports it got to a file (`--ports-file`), so no other test's
/// listener can ever take a port meant for it, and no test reads log text for them. Its exit is awaited through `terminationHandler`
/// (never `waitUntilExit()`, which parks a concurrency thread and can hang off the main thread),
/// and a child that does not stop in time is killed and reported.
func withShimProcess<Result: Sendable>(
    arguments: [String],
    environment: [String: String] = [:],
    body: (ShimProcess) async throws -> Result
) async throws -> Result {
    let stderrPath = FileManager.default.temporaryDirectory
        .appendingPathComponent("promo-shim-child-\(UUID().uuidString).log").path
    _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
    defer { try? FileManager.default.removeItem(atPath: stderrPath) }
    let portsPath = stderrPath + ".ports"
    defer { try? FileManager.default.removeItem(atPath: portsPath) }
    let stderr = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
    defer { try? stderr.close() }

    let mappings = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("mappings").path
    let process = Process()
    process.executableURL = ShimProcess.executable
    process.arguments =
        [
            "serve", "--port", "0", "--admin-port", "0", "--log-level", "notice", "--mappings", mappings,
            "--drain-delay-seconds", "0", "--ports-file", portsPath,
        ] + arguments
    if !environment.isEmpty {
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    process.standardOutput = FileHandle.nullDevice
    process.standardError = stderr
    let exit = ProcessExit()
    process.terminationHandler = { exit.finish($0.terminationStatus) }
    try process.run()

    let result: Result
    do {
        let ports = try await announcedPorts(in: portsPath, of: process, log: stderrPath)
        result = try await body(ShimProcess(process: process, ports: ports))
    } catch {
        process.terminate()
        _ = await exit.status(within: .seconds(30), orKill: process)
        throw error
    }
    process.terminate()
    let status = await exit.status(within: .seconds(30), orKill: process)
    if status != 0 {
        let log = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        Issue.record(
            """
            promo-shim exited with \(status.map(String.init) ?? "no status: killed after 30 s, threads in \(ProcessExit.threadDumpPath(of: process.processIdentifier))") on SIGTERM; its log ends:
            \(log.suffix(3000))
            """
        )
    }
    return result
}

/// Waits until the child has written both of its listening ports to `path` (`--ports-file`).
func announcedPorts(in path: String, of process: Process, log: String) async throws -> ShimPorts {
    let deadline = ContinuousClock.now + .seconds(60)
    while ContinuousClock.now < deadline {
        if let data = FileManager.default.contents(atPath: path),
            let ports = try? JSONSerialization.jsonObject(with: data) as? [String: Int],
            let proxy = ports["proxy"], let admin = ports["admin"]
        {
            return ShimPorts(proxy: proxy, admin: admin)
        }
        guard process.isRunning else {
            throw ShimProcessExited(log: (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
        }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw ShimProcessExited(log: "no ports file written within 60 s")
}

/// The child's exit status, delivered by `Process.terminationHandler` and polled without blocking.
final class ProcessExit: Sendable {
    private let exitStatus = Mutex<Int32?>(nil)

    /// Records the exit status.
    func finish(_ status: Int32) {
        exitStatus.withLock { $0 = status }
    }

    /// The exit status, or nil after SIGKILLing a child that did not exit within `limit`.
    func status(within limit: Duration, orKill process: Process) async -> Int32? {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let status = exitStatus.withLock({ $0 }) { return status }
            try? await Task.sleep(for: .milliseconds(20))
        }
        if let status = exitStatus.withLock({ $0 }) { return status }
        await Self.dumpThreads(of: process.processIdentifier)
        kill(process.processIdentifier, SIGKILL)
        return nil
    }

    /// Where the threads of a child that would not stop are written, for diagnosis.
    static func threadDumpPath(of pid: Int32) -> String { "/tmp/promo-shim-hang-\(pid).txt" }

    /// Writes every thread's backtrace of a stuck child with gdb, where gdb is installed.
    private static func dumpThreads(of pid: Int32) async {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/gdb") else { return }
        let gdb = Process()
        gdb.executableURL = URL(fileURLWithPath: "/usr/bin/gdb")
        gdb.arguments = ["-batch", "-p", String(pid), "-ex", "thread apply all bt"]
        gdb.standardOutput =
            FileHandle(forWritingAtPath: threadDumpPath(of: pid))
            ?? {
                _ = FileManager.default.createFile(atPath: threadDumpPath(of: pid), contents: nil)
                return FileHandle(forWritingAtPath: threadDumpPath(of: pid))
            }()
        gdb.standardError = FileHandle.nullDevice
        guard (try? gdb.run()) != nil else { return }
        let deadline = ContinuousClock.now + .seconds(60)
        while gdb.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(100))
        }
    }
}

/// The shim process stopped before it served.
struct ShimProcessExited: Error, CustomStringConvertible {
    var log: String
    var description: String { "promo-shim child did not start:\n\(log)" }
}

/// A loopback port that refuses connections for as long as `body` runs: a socket is bound to it
/// but never listens, so no other listener can take the port meanwhile.
func withRefusingPort<Result: Sendable>(_ body: (Int) async throws -> Result) async throws -> Result {
    let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socket >= 0 else { throw RefusingPortError.socket(errno) }
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
            bind(socket, generic, length) == 0 && getsockname(socket, generic, &length) == 0
        }
    }
    guard bound else { throw RefusingPortError.socket(errno) }
    return try await body(Int(UInt16(bigEndian: address.sin_port)))
}

enum RefusingPortError: Error {
    case socket(Int32)
}
