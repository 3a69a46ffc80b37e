import Foundation
import ShimCore
import Testing

/// `promo-shim report`'s options for the new sections, through the built executable: the sunset date
/// from `--sunset-date` or `SHIM_SUNSET_DATE`, `--now`, and `--section` choosing the csv table.
@Suite("report command (process)", .timeLimit(.minutes(2)))
struct ReportCommandTests {
    /// till: 3, 2 and 1 calls on 2026-11-18, 19 and 20 (zero on 11-21); its last call may have been issued.
    static func log() throws -> String {
        var writer = JSONWriter()
        let day: Int64 = 1_795_478_400_000 - 6 * 86_400_000  // 2026-11-18
        for (offset, calls) in [3, 2, 1].enumerated() {
            for call in 0..<calls {
                let record = UsageRecord(
                    timestampMilliseconds: day + Int64(offset) * 86_400_000 + Int64(call) * 3_600_000,
                    requestId: "r-\(offset)-\(call)", client: "till", programId: 469, promotionId: 65777,
                    customer: "c\(offset)\(call)", outcome: offset == 2 ? .upstreamFailure : .issued,
                    codes: offset == 2 ? [9911] : [], latencyMilliseconds: 1, mayHaveBeenIssued: offset == 2
                )
                record.jsonLine(into: &writer)
            }
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("report-cmd-\(UUID().uuidString).jsonl").path
        try Data(writer.bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Runs `promo-shim report` and returns its exit status, standard output and standard error.
    static func report(_ arguments: [String], environment: [String: String] = [:]) async throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = ShimProcess.executable
        process.arguments = ["report"] + arguments
        process.environment = ProcessInfo.processInfo.environment.filter { $0.key != "SHIM_SUNSET_DATE" }
            .merging(environment) { $1 }
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        return (
            status, String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
            String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        )
    }

    @Test("The sunset date comes from SHIM_SUNSET_DATE unless --sunset-date is given; --now moves the reference")
    func sunsetDateSources() async throws {
        let path = try Self.log()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let header =
            "client,last_seen,calls_last_7_days,calls_last_30_days,projection,zero_date,days_after_sunset,"
            + "brownout_refusals,sunset_refusals,dry_run_would_refuse\n"
        let fromEnvironment = try await Self.report(
            [path, "--format", "csv", "--section", "contacts"], environment: ["SHIM_SUNSET_DATE": "2026-11-20"]
        )
        #expect(fromEnvironment.0 == 0)
        #expect(fromEnvironment.1 == header + "till,2026-11-20T00:00:00.000Z,6,6,misses_sunset,2026-11-21,1,0,0,0\n")
        let fromOption = try await Self.report(
            [path, "--format", "csv", "--section", "contacts", "--sunset-date", "2026-12-01"],
            environment: ["SHIM_SUNSET_DATE": "2026-11-20"]
        )
        #expect(fromOption.1 == header + "till,2026-11-20T00:00:00.000Z,6,6,on_track,2026-11-21,,0,0,0\n")
        // As of 11-26 the last 7 days (11-20 ... 11-26) hold one call, and the fit over 11-18 ... 11-26
        // (3, 2, 1, then six days without calls) reaches zero on 11-24.
        let later = try await Self.report([path, "--format", "csv", "--section", "contacts", "--now", "2026-11-26T12:00:00Z"])
        #expect(later.1 == header + "till,2026-11-20T00:00:00.000Z,1,6,falling,2026-11-24,,0,0,0\n")
    }

    @Test("csv sections import as they are; --section with another format and bad values are refused")
    func sections() async throws {
        let path = try Self.log()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let ambiguous = try await Self.report([path, "--format", "csv", "--section", "ambiguous"])
        #expect(
            ambiguous.1 == "time,request_id,client,customer,program_id,promotion_id,outcome,codes\n"
                + "2026-11-20T00:00:00.000Z,r-2-0,till,c20,469,65777,upstream_failure,9911\n"
        )
        let limited = try await Self.report([path, "--format", "csv", "--section", "ambiguous", "--ambiguous-limit", "0"])
        #expect(limited.0 == 0)
        #expect(limited.2.contains("1 more calls may have been issued than are listed"))
        let table = try await Self.report([path, "--section", "contacts"])
        #expect(table.0 == 64 && table.2.contains("--section chooses the table of --format csv"))
        let badDate = try await Self.report([path, "--sunset-date", "soon"])
        #expect(badDate.0 == 64 && badDate.2.contains("--sunset-date 'soon' is not an RFC 3339 date"))
        let badEnvironment = try await Self.report([path], environment: ["SHIM_SUNSET_DATE": "soon"])
        #expect(badEnvironment.0 == 64 && badEnvironment.2.contains("SHIM_SUNSET_DATE 'soon'"))
    }
}
