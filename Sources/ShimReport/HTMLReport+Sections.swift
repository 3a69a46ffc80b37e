/// The sections of the html page that serve the chase before the sunset.
extension HTMLReport {
    /// The contact list (`id="contacts"`), with the reference day and the sunset.
    static func contactTable(_ list: ContactList) -> String {
        var html = "<h2>Contact list</h2>\n<p class=\"sub\">As of \(escape(list.referenceDay ?? "–")) &middot; "
        html += "\(escape(list.sunsetText)) &middot; last 7 and 30 days are whole UTC days up to the reference day</p>\n"
        html += "<table id=\"contacts\"><thead><tr><th>client</th><th>last seen</th><th>last 7 days</th>"
        html += "<th>last 30 days</th><th>projection</th><th>brownout refusals</th><th>sunset refusals</th>"
        html += "<th>dry-run would refuse</th></tr></thead><tbody>\n"
        for contact in list.contacts {
            html += "<tr><td class=\"client\">\(escape(contact.client))</td><td>\(escape(contact.lastSeen))</td>"
            html += "<td class=\"num\">\(contact.callsLast7Days)</td><td class=\"num\">\(contact.callsLast30Days)</td>"
            html += "<td class=\"projection \(contact.projection.code)\">\(escape(contact.projection.text))</td>"
            html += "<td class=\"num\">\(contact.brownoutRefusals)</td><td class=\"num\">\(contact.sunsetRefusals)</td>"
            html += "<td class=\"num\">\(contact.wouldBeRefusals)</td></tr>\n"
        }
        return html + "</tbody></table>\n"
    }

    /// The calls to reconcile with the vendor (`id="ambiguous"`).
    static func ambiguousTable(_ calls: AmbiguousCalls) -> String {
        var html = "<h2>Calls that may have been issued</h2>\n"
        html += "<p class=\"sub\">A timeout or a failure after the call may have reached the vendor: reconcile these.</p>\n"
        html += "<table id=\"ambiguous\"><thead><tr><th>time</th><th>request id</th><th>client</th><th>customer</th>"
        html += "<th>program</th><th>promotion</th><th>outcome</th><th>codes</th></tr></thead><tbody>\n"
        for call in calls.sorted {
            html += "<tr><td>\(escape(call.timestamp))</td><td class=\"request-id\">\(escape(call.requestId))</td>"
            html += "<td>\(escape(call.client))</td><td>\(escape(call.customer ?? "–"))</td>"
            html += "<td class=\"num\">\(call.programText)</td><td class=\"num\">\(call.promotionText)</td>"
            html += "<td>\(escape(call.outcome))</td><td>\(call.codesText)</td></tr>\n"
        }
        html += "</tbody></table>\n"
        if calls.omitted > 0 {
            html += "<p class=\"sub\">\(calls.omitted) more not listed (the first \(calls.limit) are).</p>\n"
        }
        return html
    }

    /// Suspected retries per client (`id="retries"`).
    static func retryTable(_ retries: RetrySuspicion) -> String {
        var html = "<h2>Suspected retries</h2>\n<p class=\"sub\">The same customer, program and promotion again "
        html += "within \(escape(retries.windowText)) s, and request ids that came twice.</p>\n"
        html += "<table id=\"retries\"><thead><tr><th>client</th><th>calls with a customer</th><th>repeats</th>"
        html += "<th>after a failure</th><th>request id twice</th></tr></thead><tbody>\n"
        for (client, counts) in retries.clientsByRepeats {
            html += "<tr><td>\(escape(client))</td><td class=\"num\">\(counts.calls)</td>"
            html += "<td class=\"num\">\(counts.repeats)</td><td class=\"num\">\(counts.repeatsAfterFailure)</td>"
            html += "<td class=\"num\">\(counts.duplicateRequestIds)</td></tr>\n"
        }
        return html + "</tbody></table>\n"
    }
}
