/// What a report is rendered against besides the summary: when, as of when, and the sunset date.
package struct ReportContext: Sendable {
    /// When the report was made, RFC 3339 (shown, never computed with).
    package var generatedAt: String
    /// The reference time of the contact list, in milliseconds since the Unix epoch; `nil`: the
    /// newest record's time.
    package var now: Int64?
    /// The sunset date, in milliseconds since the Unix epoch, if known.
    package var sunsetMilliseconds: Int64?
    /// The table `--format csv` prints.
    package var csvSection: CSVSection

    /// A context; by default as of the newest record, with no sunset date, printing the clients table.
    package init(generatedAt: String, now: Int64? = nil, sunsetMilliseconds: Int64? = nil, csvSection: CSVSection = .clients) {
        self.generatedAt = generatedAt
        self.now = now
        self.sunsetMilliseconds = sunsetMilliseconds
        self.csvSection = csvSection
    }
}

/// The tables `--format csv --section` can print, one per file so each imports as it is.
package enum CSVSection: String, Sendable, CaseIterable {
    /// Per client, then a blank line and calls per day: the output before sections existed.
    case clients
    /// The contact list.
    case contacts
    /// The calls to reconcile with the vendor.
    case ambiguous
    /// Suspected retries per client.
    case retries
}
