import ArgumentParser
import Foundation
import ShimCore
import ShimReport

/// `promo-shim report`: who still calls the deprecated endpoint, how often, and is it falling?
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Summarises usage logs per client and per day, with the trend and the date it reaches zero."
    )

    @Argument(help: "Usage logs to read (rotated and .gz files too); '-' or none reads standard input.")
    var usageLogs: [String] = []

    @Option(help: "Count only calls at or after this date or time (RFC 3339, e.g. 2026-11-01).")
    var since: String?

    @Option(help: "Output format: table, csv, json or html.")
    var format: String = "table"

    @Option(help: "Write the report to this file instead of standard output.")
    var output: String?

    func run() throws {
        guard let format = ReportFormat(rawValue: format) else {
            throw ValidationError("format must be one of: \(ReportFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let since, since.wholeMatch(of: /\d{4}-\d{2}-\d{2}(T.*)?/) == nil {
            throw ValidationError("--since '\(since)' is not a date such as 2026-11-01")
        }
        var summary = UsageSummary(since: since)
        do {
            try UsageLogReader.read(usageLogs.isEmpty ? ["-"] : usageLogs, into: &summary)
        } catch {
            throw ValidationError("\(error)")
        }
        let generatedAt = RFC3339.format(epochMilliseconds: Int64(Date().timeIntervalSince1970 * 1000))
        let text = format.render(summary, generatedAt: generatedAt)
        if let output {
            try Data(text.utf8).write(to: URL(fileURLWithPath: output))
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }
}
