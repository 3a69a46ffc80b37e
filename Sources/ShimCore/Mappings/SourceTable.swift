/// The legacy `source` values the shim accepts (`sources.yaml`).
package struct SourceTable: Sendable, Equatable {
    /// Sources in file order, spelled as documented (upper case).
    package private(set) var names: [String]
    private var byUppercasedName: [String: String]

    /// A table of these sources in this order; the first of two spellings of one source wins.
    package init(_ names: [String]) {
        self.names = names
        self.byUppercasedName = Dictionary(names.map { ($0.uppercased(), $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Finds a source case-insensitively, returning its documented spelling.
    package func resolve(_ source: String) -> String? {
        byUppercasedName[source.uppercased()]
    }
}

extension SourceTable {
    static let file = "sources.yaml"

    init(yaml text: String) throws(MappingError) {
        let root = try MappingNode.parse(text, file: Self.file)
        _ = try root.members(allowed: ["sources"])
        var names: [String] = []
        for element in try root.required("sources").elements() {
            let name = try element.string()
            guard !names.contains(where: { $0.uppercased() == name.uppercased() }) else {
                throw element.error("source '\(name)' is listed twice")
            }
            names.append(name)
        }
        guard !names.isEmpty else { throw root.error("no sources are defined") }
        self.init(names)
    }
}
