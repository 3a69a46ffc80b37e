/// What a legacy `identifierName` becomes in the bulk call.
package enum IdentifierMapping: Sendable, Equatable {
    /// Sent as this bulk `identifierName` with the caller's value.
    case bulk(String)
    /// Resolved to a customer id with the customer lookup first, then sent as bulk `id`.
    case lookup
}

/// The legacy identifier names and how each is sent (`identifiers.yaml`).
package struct IdentifierTable: Sendable, Equatable {
    /// Legacy names in file order, spelled as documented.
    package private(set) var names: [String]
    private var byLowercasedName: [String: (name: String, mapping: IdentifierMapping)]

    /// The bulk identifier names the bulk API accepts.
    package static let bulkNames: Set<String> = ["id", "mobile", "email"]

    /// A table of these legacy names, in this order; names are matched case-insensitively.
    package init(_ entries: [(name: String, mapping: IdentifierMapping)]) {
        self.names = entries.map(\.name)
        self.byLowercasedName = [:]
        for entry in entries {
            self.byLowercasedName[entry.name.lowercased()] = entry
        }
    }

    /// Finds a legacy name case-insensitively, returning its documented spelling and mapping.
    package func resolve(_ name: String) -> (name: String, mapping: IdentifierMapping)? {
        byLowercasedName[name.lowercased()]
    }

    /// Two tables are equal when they list the same names, in order, with the same mappings.
    package static func == (lhs: IdentifierTable, rhs: IdentifierTable) -> Bool {
        lhs.names == rhs.names && lhs.names.allSatisfy { lhs.resolve($0)?.mapping == rhs.resolve($0)?.mapping }
    }
}

extension IdentifierTable {
    static let file = "identifiers.yaml"

    init(yaml text: String) throws(MappingError) {
        let root = try MappingNode.parse(text, file: Self.file)
        var entries: [(name: String, mapping: IdentifierMapping)] = []
        var seen: Set<String> = []
        for (name, value) in try root.members() {
            guard seen.insert(name.lowercased()).inserted else {
                throw value.error("identifier '\(name)' is listed twice (names are matched case-insensitively)")
            }
            let target = try value.string()
            if target == "lookup" {
                entries.append((name, .lookup))
            } else if Self.bulkNames.contains(target) {
                entries.append((name, .bulk(target)))
            } else {
                throw value.error("'\(target)' is not a bulk identifierName (id, mobile, email) nor 'lookup'")
            }
        }
        guard !entries.isEmpty else { throw root.error("no identifiers are defined") }
        self.init(entries)
    }
}
