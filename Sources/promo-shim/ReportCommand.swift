import ArgumentParser
import Foundation
import ShimCore
import ShimReport

/// `promo-shim report`: who still calls the deprecated endpoint, how often, is it falling, who to
/// chase before the sunset, which calls to reconcile with the vendor, and do callers retry?
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract:
            "Summarises usage logs per client and per day, with the trend, the contact list, the calls to reconcile and suspected retries."
    )

    @Argument(help: "Usage logs to read (rotated and .gz files too); '-' or none reads standard input.")
    var usageLogs: [String] = []

    @Option(help: "Count only calls at or after this date or time (RFC 3339, e.g. 2026-11-01).")
    var since: String?

    @Option(help: "Output format: table, csv, json or html.")
    var format: String = "table"

    @Option(help: "Write the report to this file instead of standard output.")
    var output: String?

    @Option(help: "The sunset date the contact list projects against (RFC 3339); default: $SHIM_SUNSET_DATE, if set.")
    var sunsetDate: String?

    @Option(help: "The contact list's reference time (RFC 3339); default: the newest record's time.")
    var now: String?

    @Option(help: "The table --format csv prints: clients (default), contacts, ambiguous or retries.")
    var section: String?

    @Option(help: "Seconds within which the same customer, program and promotion again counts as a suspected retry.")
    var retryWindow: Double = 60

    @Option(help: "Most calls listed for reconciliation; later ones are counted only.")
    var ambiguousLimit: Int = AmbiguousCalls.defaultLimit

    func run() throws {
        guard let format = ReportFormat(rawValue: format) else {
            throw ValidationError("format must be one of: \(ReportFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let since, UsageSummary.earliestInstant(since) == nil {
            throw ValidationError("--since '\(since)' is not a date such as 2026-11-01")
        }
        var context = ReportContext(generatedAt: RFC3339.format(epochMilliseconds: Int64(Date().timeIntervalSince1970 * 1000)))
        context.now = try now.map { try Self.instant($0, option: "--now") }
        let sunset = sunsetDate ?? ProcessInfo.processInfo.environment["SHIM_SUNSET_DATE"].flatMap { $0.isEmpty ? nil : $0 }
        context.sunsetMilliseconds = try sunset.map {
            try Self.instant($0, option: sunsetDate == nil ? "SHIM_SUNSET_DATE" : "--sunset-date")
        }
        if let section {
            guard format == .csv else {
                throw ValidationError("--section chooses the table of --format csv; the other formats show every section")
            }
            guard let chosen = CSVSection(rawValue: section) else {
                throw ValidationError("section must be one of: \(CSVSection.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            context.csvSection = chosen
        }
        guard retryWindow >= 0, retryWindow <= 86_400 else { throw ValidationError("--retry-window must be 0 to 86400 seconds") }
        guard ambiguousLimit >= 0 else { throw ValidationError("--ambiguous-limit must not be negative") }

        var summary = UsageSummary(
            since: since, maxAmbiguousCalls: ambiguousLimit, retryWindowMilliseconds: Int64((retryWindow * 1000).rounded())
        )
        do {
            try UsageLogReader.read(usageLogs.isEmpty ? ["-"] : usageLogs, into: &summary)
        } catch {
            throw ValidationError("\(error)")
        }
        let text = format.render(summary, context: context)
        if let output {
            try Data(text.utf8).write(to: URL(fileURLWithPath: output))
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
        if summary.ambiguousCalls.omitted > 0 {
            FileHandle.standardError.write(
                Data(
                    "report: \(summary.ambiguousCalls.omitted) more calls may have been issued than are listed; raise --ambiguous-limit or narrow with --since\n"
                        .utf8)
            )
        }
    }

    private static func instant(_ text: String, option: String) throws -> Int64 {
        guard let milliseconds = RFC3339.milliseconds(text) else {
            throw ValidationError("\(option) '\(text)' is not an RFC 3339 date such as 2027-03-31 or 2027-03-31T00:00:00Z")
        }
        return milliseconds
    }
}
