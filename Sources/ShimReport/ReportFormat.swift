/// The report's output formats.
public enum ReportFormat: String, Sendable, CaseIterable {
    case table, csv, json, html

    /// Renders a summary.
    public func render(_ summary: UsageSummary, generatedAt: String) -> String {
        switch self {
        case .table: return TextReport.render(summary)
        case .csv: return CSVReport.render(summary)
        case .json: return JSONReport.render(summary, generatedAt: generatedAt)
        case .html: return HTMLReport.render(summary, title: "Deprecated endpoint usage", generatedAt: generatedAt)
        }
    }
}

extension UsageSummary.Client {
    var programsText: String { topPrograms().map { "\($0.program) (\($0.calls))" }.joined(separator: ", ") }
    var sourcesText: String { topSources().map { "\($0.source) (\($0.calls))" }.joined(separator: ", ") }
    var errorPercent: String { String(format1: errorRate * 100) + "%" }
}

extension String {
    /// A number with one decimal.
    init(format1 value: Double) {
        let tenths = Int((value * 10).rounded())
        self = "\(tenths / 10).\(abs(tenths % 10))"
    }
}
