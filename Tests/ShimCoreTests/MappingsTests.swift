import Foundation
import ShimCore
import Testing

@Suite("Loading mappings")
struct MappingsTests {
    @Test("The shipped mappings say what the README says")
    func shipped() {
        let mappings = Fixtures.mappings
        #expect(mappings.route.path == "/v2/promotion/bulk/directEarn")
        #expect(mappings.route.bulkAction == "ENROL")
        #expect(mappings.route.forwardAccountId == false)
        #expect(mappings.route.lookupPath == "/v2/customers/lookup")
        #expect(mappings.sources.names.count == 11)
        #expect(mappings.identifiers.resolve("externalId")?.mapping == .lookup)
        #expect(mappings.identifiers.resolve("EMAIL")?.mapping == .bulk("email"))
        #expect(mappings.codes.entity[8890]?.status == 200)
        #expect(LegacyFailure.allCases.allSatisfy { mappings.codes.local[$0] != nil })
        #expect(mappings.codes.template(for: .missingParameters).code == 11013)
    }

    /// The error of compiling the shipped files with one file's text changed.
    static func error(_ file: String, _ edit: (String) -> String) throws -> MappingError {
        var files = try Fixtures.files()
        files[file] = edit(files[file]!)
        do {
            _ = try MappingSet(files: files)
        } catch {
            return error
        }
        Issue.record("expected a MappingError")
        return MappingError(file: "", line: nil, keyPath: "", reason: "")
    }

    @Test("An unknown key is named with its file, line and key path")
    func unknownKey() throws {
        let error = try Self.error("route.yaml") {
            $0.replacingOccurrences(of: "  bulkAction: ENROL", with: "  bulkActoin: ENROL")
        }
        #expect(error.file == "route.yaml")
        #expect(error.keyPath == "bulk.bulkActoin")
        #expect(error.line == 8)
        #expect(error.description.hasPrefix("route.yaml:8: bulk.bulkActoin: unknown key"))
    }

    @Test("An upstream path that is a URL is refused, so a mapping cannot point elsewhere")
    func pathMustBeAbsolute() throws {
        for bad in ["http://evil.example/x", "//evil.example/x", "v2/relative"] {
            let error = try Self.error("route.yaml") {
                $0.replacingOccurrences(of: "path: /v2/promotion/bulk/directEarn", with: "path: \(bad)")
            }
            #expect(error.keyPath == "bulk.path")
        }
    }

    @Test("A legacy code answering two bulk codes is refused")
    func legacyCodeTwice() throws {
        let error = try Self.error("codes.yaml") {
            $0.replacingOccurrences(of: "8892: { legacy: 8892, status: 400 }", with: "8892: { legacy: 1101, status: 400 }")
        }
        #expect(error.keyPath == "entity.8892")
        #expect(error.reason.contains("already the answer to bulk code 1101"))
    }

    @Test("Duplicate YAML keys, bad statuses, missing local entries, empty and missing files are refused")
    func otherErrors() throws {
        let duplicate = try Self.error("codes.yaml") {
            $0.replacingOccurrences(
                of: "  8015: { legacy: 8015, status: 400 }",
                with: "  8015: { legacy: 8015, status: 400 }\n  8015: { legacy: 8016, status: 400 }")
        }
        #expect(duplicate.file == "codes.yaml")
        let status = try Self.error("codes.yaml") { $0.replacingOccurrences(of: "error: 400", with: "error: 4000") }
        #expect(status.keyPath == "statuses.error")
        let missingLocal = try Self.error("codes.yaml") {
            $0.split(separator: "\n").filter { !$0.contains("upstreamTimeout") }.joined(separator: "\n")
        }
        #expect(missingLocal.reason.contains("upstreamTimeout"))
        let empty = try Self.error("sources.yaml") { _ in "# nothing\n" }
        #expect(empty.reason == "the file is empty")
        let badIdentifier = try Self.error("identifiers.yaml") { $0 + "phone: telephone\n" }
        #expect(badIdentifier.keyPath == "phone")
        var files = try Fixtures.files()
        files["sources.yaml"] = nil
        #expect(throws: MappingError(file: "sources.yaml", line: nil, keyPath: "", reason: "the file is missing")) {
            try MappingSet(files: files)
        }
    }

    @Test("A directory without the files names the path")
    func missingDirectory() {
        do {
            _ = try MappingSet(directory: "/nonexistent/mappings")
            Issue.record("a missing directory was accepted")
        } catch {
            #expect(error.file.hasPrefix("/nonexistent/mappings/"), "\(error)")
            #expect("\(error)".contains("/nonexistent/mappings/"), "\(error)")
        }
    }
}
