package import Configuration

extension DeprecationPolicy {
    /// The policy `serve` runs with: the keys `deprecationDate`, `sunsetDate`, `successorUrl` and
    /// `deprecationPolicyUrl` (see `ShimConfiguration+ConfigReader.swift`), over the repository's defaults.
    package init(reader: ConfigReader) throws(ConfigurationError) {
        try self.init(
            deprecationDate: reader.text(.deprecationDate) ?? Self.defaultDeprecationDate,
            sunsetDate: reader.text(.sunsetDate),
            successorURL: reader.text(.successorUrl) ?? Self.defaultSuccessorURL,
            policyURL: reader.text(.deprecationPolicyUrl)
        )
    }

    /// The sunset date `serve` would run with, in milliseconds since the Unix epoch, read from the
    /// dates alone (`deprecationDate`, `sunsetDate`): what `mappings check` holds `deprecation.yaml` to.
    package static func sunsetMilliseconds(reader: ConfigReader) throws(ConfigurationError) -> Int64? {
        try DeprecationPolicy(
            deprecationDate: reader.text(.deprecationDate) ?? defaultDeprecationDate,
            sunsetDate: reader.text(.sunsetDate),
            successorURL: defaultSuccessorURL,
            policyURL: nil
        ).sunsetMilliseconds
    }
}
