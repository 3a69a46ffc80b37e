import Foundation
import Hummingbird
import NIOHTTP1
import ShimServer
import Testing

/// Every spelling of the legacy endpoint is served as a legacy call: translated, recorded, deprecated.
@Suite("Legacy path spellings", .timeLimit(.minutes(3)))
struct LegacyPathVariantTests {
    static let body = #"{"programId":469,"promotionId":65777}"#

    static func rawIssue(port: Int, target: String) async throws -> String {
        try await rawExchange(
            port: port,
            "POST \(target)?\(ShimOverSandboxTests.mobile) HTTP/1.1\r\nHost: shim\r\nAuthorization: \(tillAuthorization.1)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        )
    }

    @Test(
        "A non-canonical spelling is translated, leaves a usage record, carries the deprecation headers and is counted",
        arguments: [
            "/v2/promotion/issue/", "//v2/promotion/issue", "/v2/promotion/%69ssue", "/v2/promotion/issue;jsessionid=0A1B2C",
            "/V2/promotion/issue", "/v2/./promotion/issue", "/v2/PROMOTION//Issue/", "/v2/x/../promotion/issue",
        ]
    )
    func variantIsLegacyCall(target: String) async throws {
        let path = UsageLogTests.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let upstream = RecordingUpstream { _ in RecordingUpstream.json(RecordingUpstream.bulkSuccess) }
        try await upstream.withShim(configure: { $0.usageLog = .file(path) }) { shim in
            let reply = try await Self.rawIssue(port: shim.proxy, target: target)
            #expect(reply.hasPrefix("HTTP/1.1 200"), "\(reply.prefix(200))")
            #expect(reply.lowercased().contains("\r\ndeprecation: @"))
            #expect(reply.contains(#""sideEffects":[{"#))
            let metrics = try await send(.GET, "\(shim.adminURL)/metrics").text
            #expect(metrics.contains("promo_shim_legacy_path_variants_total 1"))
        }
        #expect(upstream.requests.map(\.path) == ["/v2/promotion/bulk/directEarn"])
        #expect(try UsageLogTests.records(at: path).count == 1)
    }

    @Test("The canonical spelling is not counted as a variant, and other paths still pass through")
    func canonicalAndOthers() async throws {
        let upstream = RecordingUpstream { request in
            request.path.hasSuffix("directEarn") ? RecordingUpstream.json(RecordingUpstream.bulkSuccess) : Response(status: .ok)
        }
        try await upstream.withShim { shim in
            let canonical = try await Self.rawIssue(port: shim.proxy, target: "/v2/promotion/issue")
            #expect(canonical.hasPrefix("HTTP/1.1 200"))
            for target in [
                "/v2/promotion/issues", "/v2/promotion/issue/extra", "/v2/promotion%2Fissue", "/v3/promotion/issue",
            ] {
                let reply = try await Self.rawIssue(port: shim.proxy, target: target)
                #expect(reply.hasPrefix("HTTP/1.1 200"))
                #expect(!reply.lowercased().contains("\r\ndeprecation:"), "\(target)")
            }
            let metrics = try await send(.GET, "\(shim.adminURL)/metrics").text
            #expect(!metrics.contains("promo_shim_legacy_path_variants_total 1"))
        }
        #expect(
            upstream.requests.map(\.path)
                == [
                    "/v2/promotion/bulk/directEarn", "/v2/promotion/issues", "/v2/promotion/issue/extra", "/v2/promotion%2Fissue",
                    "/v3/promotion/issue",
                ]
        )
    }
}
