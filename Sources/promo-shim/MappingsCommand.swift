import ArgumentParser
import ShimCore

/// `promo-shim mappings`: tools for the mapping tables.
struct MappingsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mappings",
        abstract: "Checks the mapping tables.",
        subcommands: [Check.self]
    )

    /// `promo-shim mappings check [DIR]`: validates every file and prints what the tables say.
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validates every mapping file and prints a summary; exits non-zero on any problem."
        )

        @Argument(help: "The mappings directory (default ./mappings).")
        var directory = "mappings"

        func run() throws {
            do {
                print(try MappingSet(directory: directory).summary, terminator: "")
            } catch {
                throw ValidationError("invalid mappings: \(error)")
            }
        }
    }
}
