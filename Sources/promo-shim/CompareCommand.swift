import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import ShimCore
import ShimSandbox
import ShimServer

/// `promo-shim compare`: replays recorded legacy calls against the old endpoint and through the
/// shim, and says per call whether the answers agree.
struct CompareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract:
            "Replays recorded calls (JSON Lines or HAR) against the legacy endpoint and the shim, and compares the answers.",
        discussion: """
            WARNING: against a real vendor, every replayed call is a real call: legacy issue calls ISSUE \
            PROMOTIONS, twice (once per side). Use --sandbox to try it without a vendor account.
            Exit status: 0 when every call is identical or equivalent, 1 when any differs.
            """
    )

    @Option(help: "Base URL of the legacy endpoint's host (the vendor).")
    var legacy: String?

    @Option(help: "Base URL of the shim.")
    var shim: String?

    @Flag(help: "Compare the sandbox's legacy simulation with a shim over the sandbox, both in-process.")
    var sandbox = false

    @Option(help: "Directory of the mapping tables, for --sandbox (default ./mappings).")
    var mappings = "mappings"

    @Argument(help: "Recorded calls: JSON Lines files or HAR files.")
    var requests: [String]

    func run() async throws {
        var calls: [RecordedCall] = []
        for path in requests {
            guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
            do {
                calls += try RecordedCall.parse(String(decoding: data, as: UTF8.self))
            } catch {
                throw ValidationError("\(path): \(error)")
            }
        }
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        let replayer = CallReplayer(client: client)
        let results: [CallReplayer.Result]
        do {
            results = try await compare(calls, replayer: replayer)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try? await client.shutdown()
        print(CallReplayer.report(results), terminator: "")
        if results.contains(where: { $0.verdict == .different }) { throw ExitCode(1) }
    }

    private func compare(_ calls: [RecordedCall], replayer: CallReplayer) async throws -> [CallReplayer.Result] {
        let results: [CallReplayer.Result]
        if sandbox {
            var logger = Logger(label: "promo-shim.compare")
            logger.logLevel = .warning
            let mappingSet: MappingSet
            do { mappingSet = try MappingSet(directory: mappings) } catch { throw ValidationError("invalid mappings: \(error)") }
            results = try await withRunningApplication({ onRunning in
                Sandbox.application(host: "127.0.0.1", port: 0, logger: logger, onServerRunning: onRunning)
            }) { port in
                var configuration = ShimConfiguration(
                    upstream: try UpstreamEndpoint("http://127.0.0.1:\(port)"), mappings: mappingSet)
                configuration.port = 0
                configuration.adminPort = 0
                return try await ShimServer.withRunning(configuration, logger: logger) { shim in
                    await replayer.compare(calls, legacy: "http://127.0.0.1:\(port)", shim: shim.proxyURL)
                }
            }
        } else {
            guard let legacy, let shim else { throw ValidationError("give --legacy and --shim base URLs, or --sandbox") }
            results = await replayer.compare(calls, legacy: legacy, shim: shim)
        }
        return results
    }
}
