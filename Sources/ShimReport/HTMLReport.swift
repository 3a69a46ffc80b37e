/// The `html` format: one self-contained page (inline CSS and SVG, no network fetches) with charts
/// of calls per day per client and of outcomes. Also served live by the admin listener.
package enum HTMLReport {
    /// Renders the page; `refreshSeconds` adds a self-refresh for the live dashboard.
    /// - Parameters:
    ///   - now: The contact list's reference time (milliseconds since the Unix epoch); `nil`: the newest record.
    ///   - sunsetMilliseconds: The sunset date, for the days left and the projections.
    package static func render(
        _ summary: UsageSummary, title: String, generatedAt: String, refreshSeconds: Int? = nil, now: Int64? = nil,
        sunsetMilliseconds: Int64? = nil
    ) -> String {
        let trend = summary.trend
        let contacts = summary.contactList(now: now, sunsetMilliseconds: sunsetMilliseconds)
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            \(refreshSeconds.map { "<meta http-equiv=\"refresh\" content=\"\($0)\">" } ?? "")
            <title>\(escape(title))</title>
            <style>
            body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#1f2933;background:#fafbfc}
            h1{font-size:1.5rem;margin-bottom:.2rem}.sub{color:#616e7c;margin-top:0}
            .cards{display:flex;gap:1rem;flex-wrap:wrap;margin:1rem 0}.card{background:#fff;border:1px solid #e4e7eb;border-radius:8px;padding:.8rem 1.2rem;min-width:10rem}
            .card b{display:block;font-size:1.6rem}.falling{color:#2f8132}.rising{color:#c62828}
            table{border-collapse:collapse;background:#fff;margin:1rem 0}th,td{border:1px solid #e4e7eb;padding:.35rem .7rem;text-align:left}
            th{background:#f0f4f8}td.num{text-align:right}svg{background:#fff;border:1px solid #e4e7eb;border-radius:8px}
            .misses_sunset,.no_decline{color:#c62828}.on_track,.stopped{color:#2f8132}
            .legend span{display:inline-block;margin-right:1rem}.legend i{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;border-radius:2px}
            </style></head><body>
            <h1>\(escape(title))</h1>
            <p class="sub">POST /v2/promotion/issue &middot; generated \(escape(generatedAt))\(summary.since.map { " &middot; since " + escape($0) } ?? "")</p>
            <div class="cards">
            <div class="card">Calls<b id="total-calls">\(summary.totalCalls)</b></div>
            <div class="card">Clients<b>\(summary.clients.count)</b></div>
            <div class="card">Trend<b class="\(trend.verdict)">\(escape(trend.verdict))</b>\(trend.days >= 2 ? String(format1: trend.slopePerDay) + " calls/day per day" : "")</div>
            <div class="card">Reaches zero<b>\(escape(trend.zeroDate ?? "–"))</b></div>
            <div class="card">Days to sunset<b id="days-to-sunset">\(contacts.daysToSunset.map(String.init) ?? "–")</b>\(escape(contacts.sunsetDay ?? "no sunset date"))</div>
            <div class="card">May have been issued<b id="ambiguous-calls">\(summary.ambiguousCalls.total)</b>to reconcile</div>
            </div>
            <h2>Calls per day per client</h2>
            \(dailyChart(summary))
            <h2>Outcomes</h2>
            \(outcomeChart(summary))
            <h2>Clients</h2>

            """
        let columns = [
            "client", "calls", "distinct customers", "first seen", "last seen", "error rate", "top programs", "top sources",
        ]
        html += table(id: "clients", columns: columns, rows: summary.clientsByCalls) { client in
            [
                cell(escape(client.name), class: "client"), number(client.calls), number(client.customers.count),
                cell(escape(client.firstSeen)), cell(escape(client.lastSeen)), cell(client.errorPercent, class: "num"),
                cell(escape(client.programsText)), cell(escape(client.sourcesText)),
            ]
        }
        html += contactTable(contacts)
        html += ambiguousTable(summary.ambiguousCalls)
        html += retryTable(summary.retries)
        if summary.skippedLines > 0 {
            html += "<p class=\"sub\">\(summary.skippedLines) unreadable line(s) skipped.</p>\n"
        }
        if summary.unknownOutcomeLines > 0 {
            html +=
                "<p class=\"sub\">\(summary.unknownOutcomeLines) line(s) with an outcome this version does not know skipped.</p>\n"
        }
        return html + "</body></html>\n"
    }

    static let palette = ["#3366cc", "#dc3912", "#ff9900", "#109618", "#990099", "#0099c6", "#7f7f7f"]

    /// A line per client (the six busiest, the rest as `other`) over every day.
    static func dailyChart(_ summary: UsageSummary) -> String {
        let days = summary.dailySeries.map(\.day)
        let numbers = days.map { Days.number($0) ?? 0 }
        guard !days.isEmpty else { return "<p class=\"sub\">No calls yet.</p>" }
        let busiest = summary.clientsByCalls.prefix(6)
        var series = busiest.map { client in (name: client.name, values: numbers.map { client.callsPerDay[$0] ?? 0 }) }
        let rest = summary.clientsByCalls.dropFirst(6)
        if !rest.isEmpty {
            series.append(("other", numbers.map { day in rest.reduce(0) { $0 + ($1.callsPerDay[day] ?? 0) } }))
        }
        let width = 760.0
        let height = 260.0
        let left = 50.0
        let bottom = 30.0
        let top = 10.0
        let maxValue = Double(max(1, series.flatMap(\.values).max() ?? 1))
        let step = days.count > 1 ? (width - left - 10) / Double(days.count - 1) : 0
        func x(_ index: Int) -> Double { left + Double(index) * step }
        func y(_ value: Int) -> Double { top + (height - top - bottom) * (1 - Double(value) / maxValue) }
        var svg =
            "<svg role=\"img\" aria-label=\"calls per day per client\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\">"
        svg += "<line x1=\"\(left)\" y1=\"\(y(0))\" x2=\"\(width - 10)\" y2=\"\(y(0))\" stroke=\"#9aa5b1\"/>"
        svg +=
            "<text x=\"4\" y=\"\(top + 10)\" font-size=\"11\">\(Int(maxValue))</text><text x=\"4\" y=\"\(y(0))\" font-size=\"11\">0</text>"
        svg += "<text x=\"\(left)\" y=\"\(height - 8)\" font-size=\"11\">\(escape(days[0]))</text>"
        svg += "<text x=\"\(width - 80)\" y=\"\(height - 8)\" font-size=\"11\">\(escape(days[days.count - 1]))</text>"
        for (index, line) in series.enumerated() {
            let color = palette[index % palette.count]
            let points = line.values.enumerated().map { "\(x($0.offset)),\(y($0.element))" }.joined(separator: " ")
            if days.count == 1 {
                svg += "<circle cx=\"\(x(0))\" cy=\"\(y(line.values[0]))\" r=\"4\" fill=\"\(color)\"/>"
            } else {
                svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(points)\"/>"
            }
        }
        svg += "</svg><div class=\"legend\">"
        for (index, line) in series.enumerated() {
            svg += "<span><i style=\"background:\(palette[index % palette.count])\"></i>\(escape(line.name))</span>"
        }
        return svg + "</div>"
    }

    /// A horizontal bar per outcome.
    static func outcomeChart(_ summary: UsageSummary) -> String {
        let outcomes = summary.outcomes.sorted { $0.value > $1.value }
        guard let largest = outcomes.first?.value else { return "<p class=\"sub\">No calls yet.</p>" }
        let colors = [
            "issued": "#2f8132", "warning": "#ff9900", "rejected": "#7f7f7f", "error": "#dc3912",
            "upstream_failure": "#990099", "brownout": "#c62828", "sunset": "#5d4037",
        ]
        var svg = "<svg role=\"img\" aria-label=\"outcomes\" width=\"760\" height=\"\(outcomes.count * 28 + 10)\">"
        for (index, outcome) in outcomes.enumerated() {
            let barWidth = max(2, 560 * Double(outcome.value) / Double(largest))
            let y = index * 28 + 5
            svg += "<text x=\"4\" y=\"\(y + 16)\" font-size=\"12\">\(escape(outcome.key))</text>"
            svg += "<rect x=\"130\" y=\"\(y)\" width=\"\(barWidth)\" height=\"20\" fill=\"\(colors[outcome.key] ?? "#3366cc")\"/>"
            svg += "<text x=\"\(136 + barWidth)\" y=\"\(y + 15)\" font-size=\"12\">\(outcome.value)</text>"
        }
        return svg + "</svg>"
    }

    /// Escapes text for HTML element content and attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
