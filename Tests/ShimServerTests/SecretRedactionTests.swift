import Foundation
import Logging
import NIOHTTP1
import ShimServer
import Testing

/// The customer-hash key never appears in a description or a log line.
@Suite("Secret redaction", .timeLimit(.minutes(2)))
struct SecretRedactionTests {
    static let key = "hash-key-7f3a9c1e"

    @Test("Descriptions of the configuration redact the customer-hash key")
    func descriptions() throws {
        var configuration = ShimConfiguration(upstream: try .init("http://127.0.0.1:1"), mappings: shippedMappings)
        configuration.customerHashKey = Self.key
        configuration.port = 0
        configuration.adminPort = 0
        // (The server's own description is checked in the debug log below: building one here would
        // leave an HTTP client that is never shut down.)
        let texts = [String(describing: configuration), String(reflecting: configuration), "\(configuration)"]
        for text in texts {
            #expect(!text.contains(Self.key), "a description shows the key: \(text.prefix(300))")
        }
        #expect(String(describing: configuration).contains("redacted"))
    }

    @Test("--log-level debug logs the configuration without the customer-hash key")
    func debugLog() async throws {
        let child = try ShimChild(arguments: ["--sandbox", "--customer-hash-key", Self.key], logLevel: "debug")
        _ = try await child.ports()
        child.send(SIGTERM)
        #expect(await child.exitStatus(within: .seconds(30)) == 0)
        let log = child.log
        #expect(log.contains("Starting service"), "the service lifecycle's debug log is missing: \(log.prefix(500))")
        #expect(!log.contains(Self.key), "the debug log shows the customer-hash key")
    }
}
