import Foundation
import NIOHTTP1
import ShimServer
import Testing

/// Every documented outcome over the sandbox vendor: end to end (a real client, the shim and the
/// sandbox over loopback) for a success, externalId, the credentials and the admin listener; the
/// translation of each vendor outcome in process, over the sandbox's router in memory.
@Suite("Shim over the sandbox vendor", .timeLimit(.minutes(2)))
struct ShimOverSandboxTests {
    static let mobile = "identifierName=mobile&identifierValue=918888888888&source=INSTORE"

    @Test("A direct issue answers the legacy success shape with integer ids")
    func success() async throws {
        try await withShimOverSandbox { shim in
            let response = try await issue(shim.proxyURL, query: Self.mobile)
            #expect(response.status == 200)
            #expect(response.json.keys.sorted() == ["errors", "sideEffects", "warnings"])
            let sideEffect = try #require((response.json["sideEffects"] as? [[String: Any]])?.first)
            #expect(sideEffect["programId"] as? Int == 469)
            #expect(sideEffect["promotionId"] as? Int == 65777)
            #expect(sideEffect["issualId"] is Int)
            #expect(sideEffect["earnedId"] is Int)
            #expect(sideEffect["type"] as? String == "Points promotion")
            #expect(response.headers["Content-Type"].first == "application/json")
        }
    }

    @Test(
        "Each vendor outcome becomes its legacy answer (in process)",
        arguments: [
            // (query, body, status, error codes, warning codes)
            (mobile, #"{"programId":469,"promotionId":65779}"#, 200, [Int](), [8890]),
            (mobile, #"{"programId":1,"promotionId":65777}"#, 400, [1101], []),
            (mobile, #"{"programId":469,"promotionId":1}"#, 400, [8874], []),
            (mobile, #"{"programId":469,"promotionId":65778}"#, 400, [8892], []),
            (
                "identifierName=mobile&identifierValue=910000000000&source=INSTORE", #"{"programId":469,"promotionId":65777}"#,
                400, [8015], []
            ),
            (
                "identifierName=mobile&identifierValue=919999999999&source=INSTORE", #"{"programId":469,"promotionId":65777}"#,
                400, [8899], []
            ),
            (
                "identifierName=externalId&identifierValue=EXT-404&source=INSTORE", #"{"programId":469,"promotionId":65777}"#,
                400, [8015], []
            ),
            ("identifierName=mobile&source=INSTORE", #"{"programId":469,"promotionId":65777}"#, 400, [11013], []),
            (
                "identifierName=mobile&identifierValue=918888888888&source=INSTORE&type=POINTS",
                #"{"programId":469,"promotionId":65777}"#, 400, [1212], []
            ),
        ]
    )
    func outcomes(query: String, body: String, status: Int, errors: [Int], warnings: [Int]) async {
        let response = await InProcessShim(upstream: .sandbox()).issue(query: query, body: body)
        #expect(response.status == status)
        #expect(response.errorCodes == errors)
        #expect(response.warningCodes == warnings)
        // Error answers have no sideEffects key; warning answers have an empty one.
        #expect((response.json["sideEffects"] != nil) == errors.isEmpty)
    }

    @Test("externalId is resolved through the lookup and issued to that customer")
    func externalId() async throws {
        try await withShimOverSandbox { shim in
            let response = try await issue(
                shim.proxyURL,
                query: "identifierName=externalId&identifierValue=EXT-1002&source=INSTORE"
            )
            #expect(response.status == 200)
            #expect((response.json["sideEffects"] as? [[String: Any]])?.count == 1)
        }
    }

    @Test("The vendor's authentication refusals are relayed as they came")
    func authenticationRelayed() async throws {
        try await withShimOverSandbox { shim in
            let wrong = ("Authorization", "Basic " + Data("till:wrong".utf8).base64EncodedString())
            let unauthenticated = try await issue(shim.proxyURL, query: Self.mobile, headers: [wrong])
            #expect(unauthenticated.status == 401)
            #expect(unauthenticated.headers["WWW-Authenticate"].first == "Basic realm=\"sandbox\"")
            let readOnly = ("Authorization", "Basic " + Data("readonly:secret".utf8).base64EncodedString())
            let forbidden = try await issue(shim.proxyURL, query: Self.mobile, headers: [readOnly])
            #expect(forbidden.status == 403)
            let none = try await issue(shim.proxyURL, query: Self.mobile, headers: [])
            #expect(none.status == 401)
        }
    }

    @Test("OAuth callers are forwarded with their token")
    func oauth() async throws {
        try await withShimOverSandbox { shim in
            let response = try await issue(
                shim.proxyURL,
                query: Self.mobile,
                headers: [("X-CAP-API-OAUTH-TOKEN", "demo-token")]
            )
            #expect(response.status == 200)
        }
    }

    @Test("Each issue gets fresh ids")
    func freshIds() async throws {
        try await withShimOverSandbox { shim in
            let first = try await issue(shim.proxyURL, query: Self.mobile)
            let second = try await issue(shim.proxyURL, query: Self.mobile)
            let firstId = (first.json["sideEffects"] as? [[String: Any]])?.first?["issualId"] as? Int
            let secondId = (second.json["sideEffects"] as? [[String: Any]])?.first?["issualId"] as? Int
            #expect(firstId != nil && secondId != nil && firstId != secondId)
        }
    }

    @Test("The admin listener answers /health")
    func health() async throws {
        try await withShimOverSandbox { shim in
            let health = try await send(.GET, "\(shim.adminURL)/health")
            #expect(health.status == 200)
            // The admin routes are not on the proxy port: there, /health passes through to the vendor.
            let proxied = try await send(.GET, "\(shim.proxyURL)/health", headers: [tillAuthorization])
            #expect(proxied.status == 404)
        }
    }
}
