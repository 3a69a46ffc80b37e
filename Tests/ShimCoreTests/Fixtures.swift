import Foundation
import ShimCore

/// The repository's `mappings/` directory and its compiled tables.
enum Fixtures {
    static let mappingsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("mappings").path

    static let mappings: MappingSet = try! MappingSet(directory: mappingsDirectory)

    /// The texts of the shipped mapping files, to modify in error tests.
    static func files() throws -> [String: String] {
        var files: [String: String] = [:]
        for name in MappingSet.fileNames {
            files[name] = try String(contentsOfFile: mappingsDirectory + "/" + name, encoding: .utf8)
        }
        return files
    }

    static let mobileIssue = ValidatedIssue(
        identifierName: "mobile", identifierMapping: .bulk("mobile"), identifierValue: "18767431754", source: "INSTORE",
        accountId: nil, programId: 469, promotionId: 65777
    )

    /// Parses JSON bytes for comparison.
    static func object(_ bytes: [UInt8]) -> NSDictionary? {
        (try? JSONSerialization.jsonObject(with: Data(bytes))) as? NSDictionary
    }

    static func object(_ text: String) -> NSDictionary? {
        object(Array(text.utf8))
    }
}
