import Foundation

/// The `csv` format: one row per client, then a blank line and one row per day.
enum CSVReport {
    static func render(_ summary: UsageSummary) -> String {
        var lines = ["client,calls,distinct_customers,first_seen,last_seen,error_rate,top_programs,top_sources"]
        for client in summary.clientsByCalls {
            lines.append(
                [
                    client.name, "\(client.calls)", "\(client.customers.count)", client.firstSeen, client.lastSeen,
                    String(client.errorRate), client.programsText, client.sourcesText,
                ].map(quoted).joined(separator: ",")
            )
        }
        lines.append("")
        lines.append("day,calls")
        lines += summary.dailySeries.map { "\($0.day),\($0.calls)" }
        return lines.joined(separator: "\n") + "\n"
    }

    /// RFC 4180 quoting, plus a leading quote for cells a spreadsheet would run as a formula.
    private static func quoted(_ cell: String) -> String {
        var cell = cell
        if let first = cell.first, "=+-@".contains(first) { cell = "'" + cell }
        guard cell.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
