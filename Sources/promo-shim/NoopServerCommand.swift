import ArgumentParser
import Hummingbird
import Logging

/// `promo-shim noop-server`: the benchmark's reference point, a Hummingbird server that answers the
/// legacy success body with no upstream call and no translation. Hidden from help: a measuring tool.
struct NoopServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "noop-server",
        abstract: "Answers a fixed legacy body (benchmark reference; no upstream, no translation).",
        shouldDisplay: false
    )

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on.")
    var port = 18904

    static let body =
        #"{"warnings":[],"errors":[],"sideEffects":[{"programId":2750,"issualId":811,"earnedId":765,"promotionId":201436,"type":"Points promotion"}]}"#

    func run() async throws {
        var logger = Logger(label: "promo-shim.noop")
        logger.logLevel = .warning
        let router = Router()
        router.post("/v2/promotion/issue") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: .init(string: Self.body))
            )
        }
        let app = Application(router: router, configuration: .init(address: .hostname(host, port: port)), logger: logger)
        try await app.runService()
    }
}
