/// The `table` format: aligned columns for a terminal.
enum TextReport {
    static func render(_ summary: UsageSummary, context: ReportContext) -> String {
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
        out +=
            "\nOutcomes: " + summary.outcomes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        out += "\n\n" + contacts(summary, context: context)
        out += "\n" + ambiguous(summary.ambiguousCalls)
        out += "\n" + retries(summary.retries)
        if summary.skippedLines > 0 { out += "\nSkipped \(summary.skippedLines) unreadable line(s)" }
        if summary.unknownOutcomeLines > 0 {
            out +=
                "\nSkipped \(summary.unknownOutcomeLines) line(s) with an outcome this version does not know: "
                + summary.unknownOutcomes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        }
        return out + "\n"
    }

    private static func contacts(_ summary: UsageSummary, context: ReportContext) -> String {
        let list = summary.contactList(now: context.now, sunsetMilliseconds: context.sunsetMilliseconds)
        let out = "Contact list as of \(list.referenceDay ?? "-") (\(list.sunsetText))\n"
        let header = [
            "client", "last seen", "last 7 days", "last 30 days", "projection", "brownout refusals", "sunset refusals",
            "dry-run would refuse",
        ]
        let rows = list.contacts.map { contact in
            [
                contact.client, contact.lastSeen, "\(contact.callsLast7Days)", "\(contact.callsLast30Days)",
                contact.projection.text, "\(contact.brownoutRefusals)", "\(contact.sunsetRefusals)",
                "\(contact.wouldBeRefusals)",
            ]
        }
        return out + table([header] + rows)
    }

    private static func ambiguous(_ calls: AmbiguousCalls) -> String {
        var out = "Calls that may have been issued (reconcile with the vendor): \(calls.total)\n"
        guard calls.total > 0 else { return out }
        let header = ["time", "request id", "client", "customer", "program", "promotion", "outcome", "codes"]
        let rows = calls.sorted.map { call in
            [
                call.timestamp, call.requestId, call.client, call.customer ?? "-", call.programText, call.promotionText,
                call.outcome, call.codesText,
            ]
        }
        out += table([header] + rows)
        if calls.omitted > 0 {
            out +=
                "\(calls.omitted) more not listed (the first \(calls.limit) are; raise --ambiguous-limit or narrow with --since)\n"
        }
        return out
    }

    private static func retries(_ retries: RetrySuspicion) -> String {
        let out = "Suspected retries (the same customer, program and promotion again within \(retries.windowText) s)\n"
        let header = ["client", "calls with a customer", "repeats", "after a failure", "request id twice"]
        let rows = retries.clientsByRepeats.map { client, counts in
            [
                client, "\(counts.calls)", "\(counts.repeats)", "\(counts.repeatsAfterFailure)",
                "\(counts.duplicateRequestIds)",
            ]
        }
        return out + table([header] + rows)
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
