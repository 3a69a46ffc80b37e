/// The sections of the html page that serve the chase before the sunset.
extension HTMLReport {
    /// The contact list (`id="contacts"`), with the reference day and the sunset.
    static func contactTable(_ list: ContactList) -> String {
        var html = "<h2>Contact list</h2>\n<p class=\"sub\">As of \(escape(list.referenceDay ?? "–")) &middot; "
        html += "\(escape(list.sunsetText)) &middot; last 7 and 30 days are whole UTC days up to the reference day</p>\n"
        let columns = [
            "client", "last seen", "last 7 days", "last 30 days", "projection", "brownout refusals", "sunset refusals",
            "dry-run would refuse",
        ]
        return html
            + table(id: "contacts", columns: columns, rows: list.contacts) { contact in
                [
                    cell(escape(contact.client), class: "client"), cell(escape(contact.lastSeen)),
                    number(contact.callsLast7Days), number(contact.callsLast30Days),
                    cell(escape(contact.projection.text), class: "projection \(contact.projection.code)"),
                    number(contact.brownoutRefusals), number(contact.sunsetRefusals), number(contact.wouldBeRefusals),
                ]
            }
    }

    /// The calls to reconcile with the vendor (`id="ambiguous"`).
    static func ambiguousTable(_ calls: AmbiguousCalls) -> String {
        var html = "<h2>Calls that may have been issued</h2>\n"
        html += "<p class=\"sub\">A timeout or a failure after the call may have reached the vendor: reconcile these.</p>\n"
        let columns = ["time", "request id", "client", "customer", "program", "promotion", "outcome", "codes"]
        html += table(id: "ambiguous", columns: columns, rows: calls.sorted) { call in
            [
                cell(escape(call.timestamp)), cell(escape(call.requestId), class: "request-id"), cell(escape(call.client)),
                cell(escape(call.customer ?? "–")), cell(call.programText, class: "num"), cell(call.promotionText, class: "num"),
                cell(escape(call.outcome)), cell(call.codesText),
            ]
        }
        if calls.omitted > 0 {
            html += "<p class=\"sub\">\(calls.omitted) more not listed (the first \(calls.limit) are).</p>\n"
        }
        return html
    }

    /// Suspected retries per client (`id="retries"`).
    static func retryTable(_ retries: RetrySuspicion) -> String {
        var html = "<h2>Suspected retries</h2>\n<p class=\"sub\">The same customer, program and promotion again "
        html += "within \(escape(retries.windowText)) s, and request ids that came twice.</p>\n"
        let columns = ["client", "calls with a customer", "repeats", "after a failure", "request id twice"]
        return html
            + table(id: "retries", columns: columns, rows: retries.clientsByRepeats) { entry in
                [
                    cell(escape(entry.client)), number(entry.counts.calls), number(entry.counts.repeats),
                    number(entry.counts.repeatsAfterFailure), number(entry.counts.duplicateRequestIds),
                ]
            }
    }

    /// A table: a header row of `columns`, then one row per element, whose cells `cells` makes.
    static func table<Element>(
        id: String, columns: [String], rows: some Sequence<Element>, _ cells: (Element) -> [String]
    ) -> String {
        var html = "<table id=\"\(id)\"><thead><tr>" + columns.map { "<th>\($0)</th>" }.joined() + "</tr></thead><tbody>\n"
        for row in rows { html += "<tr>" + cells(row).joined() + "</tr>\n" }
        return html + "</tbody></table>\n"
    }

    /// A `<td>` holding `html` (escape text first), with a class when given.
    static func cell(_ html: String, class name: String? = nil) -> String {
        name.map { "<td class=\"\($0)\">\(html)</td>" } ?? "<td>\(html)</td>"
    }

    /// A right-aligned `<td>` holding a count.
    static func number(_ value: Int) -> String {
        cell(String(value), class: "num")
    }
}
