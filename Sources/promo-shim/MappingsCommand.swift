import ArgumentParser
import Configuration
import ShimCore
import ShimServer

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

        @Argument(help: "The mappings directory.")
        var directory = ShimConfiguration.defaultMappingsDirectory

        @Option(
            help: "The sunset date `serve` will run with (RFC 3339), to check deprecation.yaml against (env SHIM_SUNSET_DATE)."
        )
        var sunsetDate: String?

        func run() throws {
            var values = CommandLineValues()
            values.set(.sunsetDate, sunsetDate)
            let sunset: Int64?
            do {
                // The dates `serve` would run with, read as `serve` reads them.
                sunset = try DeprecationPolicy.sunsetMilliseconds(reader: ConfigReader.shim(commandLine: values))
            } catch {
                throw ValidationError("--sunset-date (SHIM_SUNSET_DATE): \(error)")
            }
            do {
                let mappings = try MappingSet(directory: directory)
                do {
                    try mappings.deprecation.check(sunset: sunset)
                } catch {
                    var located = error
                    located.file = directory + "/" + error.file
                    throw located
                }
                print(mappings.summary, terminator: "")
            } catch {
                throw ValidationError("invalid mappings: \(error)")
            }
        }
    }
}
