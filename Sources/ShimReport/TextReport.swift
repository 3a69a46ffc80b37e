/// The `table` format: aligned columns for a terminal.
enum TextReport {
    static func render(_ summary: UsageSummary) -> String {
        var out = "Deprecated POST /v2/promotion/issue: \(summary.totalCalls) calls from \(summary.clients.count) clients"
        if let since = summary.since { out += " since \(since)" }
        out += "\n\n"
        let header = ["client", "calls", "customers", "first seen", "last seen", "errors", "top programs", "top sources"]
        let rows = summary.clientsByCalls.map { client in
            [
                client.name, "\(client.calls)", "\(client.customers.count)", client.firstSeen, client.lastSeen,
                client.errorPercent, client.programsText, client.sourcesText,
            ]
        }
        out += table([header] + rows)
        out += "\nCalls per day\n"
        out += table([["day", "calls"]] + summary.dailySeries.map { [$0.day, "\($0.calls)"] })
        let trend = summary.trend
        out += "\nTrend: \(trend.verdict)"
        if trend.days >= 2 { out += ", \(String(format1: trend.slopePerDay)) calls/day per day" }
        if let zero = trend.zeroDate { out += "; reaches zero around \(zero)" }
        out += "\nOutcomes: " + summary.outcomes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        if summary.skippedLines > 0 { out += "\nSkipped \(summary.skippedLines) unreadable line(s)" }
        return out + "\n"
    }

    private static func table(_ rows: [[String]]) -> String {
        guard let columns = rows.first?.count else { return "" }
        let widths = (0..<columns).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                cell + String(repeating: " ", count: widths[column] - cell.count)
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }.joined(separator: "\n") + "\n"
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
