/// The report's output formats.
package enum ReportFormat: String, Sendable, CaseIterable {
    case table, csv, json, html

    /// Renders a summary as of its newest record, without a sunset date (csv: the clients table).
    package func render(_ summary: UsageSummary, generatedAt: String) -> String {
        render(summary, context: ReportContext(generatedAt: generatedAt))
    }

    /// Renders a summary in a context.
    package func render(_ summary: UsageSummary, context: ReportContext) -> String {
        switch self {
        case .table: return TextReport.render(summary, context: context)
        case .csv: return CSVReport.render(summary, context: context)
        case .json: return JSONReport.render(summary, context: context)
        case .html:
            return HTMLReport.render(
                summary, title: "Deprecated endpoint usage", generatedAt: context.generatedAt, now: context.now,
                sunsetMilliseconds: context.sunsetMilliseconds
            )
        }
    }
}

extension UsageSummary.Client {
    var programsText: String { topPrograms().map { "\($0.program) (\($0.calls))" }.joined(separator: ", ") }
    var sourcesText: String { topSources().map { "\($0.source) (\($0.calls))" }.joined(separator: ", ") }
    var errorPercent: String { String(format1: errorRate * 100) + "%" }
}

extension ContactList {
    /// "sunset 2027-03-31, 127 days left" (or "... passed 3 days ago", or "no sunset date given").
    var sunsetText: String {
        guard let sunsetDay, let daysToSunset else { return "no sunset date given" }
        if daysToSunset < 0 { return "sunset \(sunsetDay), passed \(-daysToSunset) day\(daysToSunset == -1 ? "" : "s") ago" }
        return "sunset \(sunsetDay), \(daysToSunset) day\(daysToSunset == 1 ? "" : "s") left"
    }
}

extension ContactList.Projection {
    /// Days after the sunset the trend reaches zero, if it misses it.
    var daysAfterSunset: Int? {
        if case .missesSunset(let days, _) = self { return days }
        return nil
    }
}

extension AmbiguousCalls.Call {
    var programText: String { programId.map(String.init) ?? "" }
    var promotionText: String { promotionId.map(String.init) ?? "" }
    var codesText: String { codes.map(String.init).joined(separator: " ") }
}

extension String {
    /// A number with one decimal.
    init(format1 value: Double) {
        let tenths = Int((value * 10).rounded())
        self = "\(tenths / 10).\(abs(tenths % 10))"
    }
}
