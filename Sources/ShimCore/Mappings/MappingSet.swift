import Foundation

/// Everything in `mappings/`, compiled once into an immutable table the translators read.
package struct MappingSet: Sendable, Equatable {
    /// Where and how legacy calls are sent upstream (`route.yaml`).
    package var route: BulkRoute
    /// The legacy identifier names and how each is sent (`identifiers.yaml`).
    package var identifiers: IdentifierTable
    /// The legacy sources the shim accepts (`sources.yaml`).
    package var sources: SourceTable
    /// Bulk entity codes to legacy codes, and the shim's own errors (`codes.yaml`).
    package var codes: CodeTable
    /// Which calls go to which route (`routing.yaml`).
    package var routing: RoutingTable
    /// Brownout windows and the after-sunset rule (`deprecation.yaml`; ``DeprecationSchedule/none``
    /// when the file is absent).
    package var deprecation: DeprecationSchedule
    /// A short digest of the files' texts, naming this version of the mappings.
    package var version: String

    /// A set built from tables in code; `version` is `built-in` unless given.
    package init(
        route: BulkRoute, identifiers: IdentifierTable, sources: SourceTable, codes: CodeTable,
        routing: RoutingTable = RoutingTable(), deprecation: DeprecationSchedule = .none, version: String = "built-in"
    ) {
        self.deprecation = deprecation
        self.route = route
        self.identifiers = identifiers
        self.sources = sources
        self.codes = codes
        self.routing = routing
        self.version = version
    }

    /// The files a mappings directory must hold.
    package static let fileNames = [BulkRoute.file, IdentifierTable.file, SourceTable.file, CodeTable.file, RoutingTable.file]
    /// The files a mappings directory may hold.
    package static let optionalFileNames = [DeprecationSchedule.file]

    /// Compiles the mapping files from their texts, keyed by file name.
    /// - Throws: ``MappingError`` naming the file, line and problem.
    package init(files: [String: String]) throws(MappingError) {
        func text(_ name: String) throws(MappingError) -> String {
            guard let text = files[name] else {
                throw MappingError(file: name, line: nil, keyPath: "", reason: "the file is missing")
            }
            return text
        }
        self.init(
            route: try BulkRoute(yaml: text(BulkRoute.file)),
            identifiers: try IdentifierTable(yaml: text(IdentifierTable.file)),
            sources: try SourceTable(yaml: text(SourceTable.file)),
            codes: try CodeTable(yaml: text(CodeTable.file)),
            routing: try RoutingTable(yaml: text(RoutingTable.file)),
            deprecation: try files[DeprecationSchedule.file].map { text throws(MappingError) in
                try DeprecationSchedule(yaml: text)
            } ?? .none,
            // An absent optional file leaves the digest as it was before that file existed.
            version: Self.digest(
                (Self.fileNames.map { files[$0] ?? "" } + Self.optionalFileNames.compactMap { files[$0] })
                    .joined(separator: "\u{0}")
            )
        )
    }

    /// 12 hex digits of FNV-1a over the texts: enough to tell versions apart in logs and metrics.
    static func digest(_ text: String) -> String {
        String(Hex.string(FNV1a.hash(text.utf8)).prefix(12))
    }

    /// Reads and compiles the mapping files of a directory.
    package init(directory: String) throws(MappingError) {
        var files: [String: String] = [:]
        for name in Self.fileNames {
            let path = URL(fileURLWithPath: directory).appendingPathComponent(name).path
            guard let data = FileManager.default.contents(atPath: path) else {
                throw MappingError(file: path, line: nil, keyPath: "", reason: "cannot read the file")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw MappingError(file: path, line: nil, keyPath: "", reason: "the file is not UTF-8")
            }
            files[name] = text
        }
        for name in Self.optionalFileNames {
            let path = URL(fileURLWithPath: directory).appendingPathComponent(name).path
            guard FileManager.default.fileExists(atPath: path) else { continue }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw MappingError(file: path, line: nil, keyPath: "", reason: "cannot read the file")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw MappingError(file: path, line: nil, keyPath: "", reason: "the file is not UTF-8")
            }
            files[name] = text
        }
        do {
            try self.init(files: files)
        } catch {
            var located = error
            located.file = URL(fileURLWithPath: directory).appendingPathComponent(error.file).path
            throw located
        }
    }
}
