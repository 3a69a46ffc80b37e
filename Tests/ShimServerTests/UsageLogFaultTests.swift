import Foundation
import NIOHTTP1
import ShimServer
import Testing

/// The usage log when its destination fails: a full disk (`/dev/full` answers every write with
/// ENOSPC) and a pipe whose reader never reads. Memory stays bounded, lost records are counted and
/// said, `/ready` says so, and SIGTERM ends within the shutdown timeout with exit status 3.
@Suite("Usage log faults (process)", .timeLimit(.minutes(3)))
struct UsageLogFaultTests {
    static let mobile = "identifierName=mobile&identifierValue=918888888888&source=INSTORE"

    /// `count` legacy calls, `width` at a time; a long `User-Agent` makes each record about 1.4 KB.
    static func calls(_ count: Int, to proxyURL: String, width: Int = 16) async throws {
        let agent = String(repeating: "a", count: 1000)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for start in stride(from: 0, to: count, by: width) {
                for _ in start..<min(count, start + width) {
                    group.addTask {
                        _ = try await issue(proxyURL, query: Self.mobile, headers: [tillAuthorization, ("User-Agent", agent)])
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    @Test("On a full disk records beyond the buffer are dropped and counted, /ready says why, SIGTERM exits 3")
    func fullDisk() async throws {
        let started = ContinuousClock.now
        let child = try ShimChild(
            arguments: ["--sandbox", "--usage-log", "/dev/full", "--shutdown-timeout-seconds", "3"],
            environment: ["SHIM_USAGE_LOG_BUFFER_RECORDS": "20"]
        )
        let ports = try await child.ports()
        try await Self.calls(60, to: ports.proxyURL)
        let counted = try await eventually(within: .seconds(30)) {
            let metrics = try await send(.GET, "\(ports.adminURL)/metrics").text
            return metrics.split(separator: "\n").contains {
                $0.hasPrefix("promo_shim_usage_records_dropped_total ") && !$0.hasSuffix(" 0")
            }
        }
        #expect(counted, "no promo_shim_usage_records_dropped_total above 0")
        let ready = try await send(.GET, "\(ports.adminURL)/ready")
        #expect(ready.status == 503)
        #expect(ready.text.contains("usage"), "the /ready reason does not name the usage log: \(ready.text)")
        child.send(SIGTERM)
        let status = await child.exitStatus(within: .seconds(30))
        #expect(status == 3, "exit status \(status.map(String.init) ?? "none (killed)")")
        let errors = child.log.components(separatedBy: "usage log write failed").count - 1
        // Rate-limited to one line per 10 s (plus the first), however many write attempts failed.
        let limit = 2 + Int((ContinuousClock.now - started).components.seconds / 10)
        #expect(errors >= 1 && errors <= limit, "\(errors) error lines for the failing usage log (limit \(limit))")
    }

    @Test("With a pipe whose reader never reads, SIGTERM still ends within the shutdown timeout, exit 3")
    func stalledPipe() async throws {
        let fifo = FileManager.default.temporaryDirectory.appendingPathComponent("usage-\(UUID().uuidString).fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        defer { unlink(fifo) }
        // A reader that never reads: opening for write needs one, and the pipe fills at 64 KiB.
        let reader = open(fifo, O_RDONLY | O_NONBLOCK)
        #expect(reader >= 0)
        defer { close(reader) }
        let child = try ShimChild(arguments: ["--sandbox", "--usage-log", fifo, "--shutdown-timeout-seconds", "2"])
        let ports = try await child.ports()
        // 200 records of about 1.4 KB: far more than the pipe holds, so the writer blocks.
        try await Self.calls(200, to: ports.proxyURL)
        let started = ContinuousClock.now
        child.send(SIGTERM)
        let status = await child.exitStatus(within: .seconds(30))
        #expect(status == 3, "exit status \(status.map(String.init) ?? "none (killed after 30 s)")")
        #expect(ContinuousClock.now - started < .seconds(20))
    }

    /// Runs `mount`/`umount`; false when not permitted (not root, no tmpfs).
    static func run(_ tool: String, _ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    @Test("A disk that fills part-way through a write and then frees: every record once, no torn line")
    func diskFillsMidWriteThenFrees() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tmpfs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        guard Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", directory]) else {
            print("skipped: mounting a tmpfs is not permitted here")
            return
        }
        defer { _ = Self.run("/bin/umount", [directory]) }
        // Fill the file system completely.
        let filler = directory + "/filler"
        let fd = open(filler, O_WRONLY | O_CREAT, 0o600)
        let page = [UInt8](repeating: 0x2E, count: 4096)
        while page.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
        let fillerSize = lseek(fd, 0, SEEK_END)
        let usagePath = directory + "/usage.log"
        let child = try ShimChild(arguments: ["--sandbox", "--usage-log", usagePath])
        let ports = try await child.ports()
        let calls = 60
        let agent = String(repeating: "a", count: 1000)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<calls {
                group.addTask {
                    _ = try await issue(
                        ports.proxyURL, query: Self.mobile,
                        headers: [tillAuthorization, ("User-Agent", agent), ("X-Request-Id", "call-\(index)")]
                    )
                }
            }
            try await group.waitForAll()
        }
        // Free two pages: the next write stops part-way through a line, then the disk is full again.
        ftruncate(fd, fillerSize - 8192)
        let partlyWritten = await eventually(within: .seconds(30)) {
            ((try? FileManager.default.attributesOfItem(atPath: usagePath)[.size] as? Int) ?? 0) > 0
        }
        #expect(partlyWritten)
        // Then the disk frees.
        close(fd)
        unlink(filler)
        let complete = await eventually(within: .seconds(30)) {
            let text = (try? String(contentsOfFile: usagePath, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").count >= calls && text.hasSuffix("\n")
        }
        #expect(complete)
        child.send(SIGTERM)
        #expect(await child.exitStatus(within: .seconds(30)) == 0)
        let text = try String(contentsOfFile: usagePath, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.last == "", "the log ends in a torn line")
        let ids = lines.dropLast().map { line -> String in
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return object?["requestId"] as? String ?? "torn line"
        }
        #expect(ids.count == calls, "\(ids.count) lines for \(calls) calls")
        #expect(Set(ids) == Set((0..<calls).map { "call-\($0)" }), "duplicated or torn lines")
    }
}
