import Foundation
import HTTPTypes
import Hummingbird
import NIOHTTP1
import ShimServer
import Testing

/// `Expect: 100-continue` is answered by the shim, which owns the hop: `100 Continue` before the
/// body is read, or the final answer at once when the declared body is too large.
@Suite("Expect: 100-continue", .timeLimit(.minutes(2)))
struct ExpectContinueTests {
    static let body = #"{"programId":469,"promotionId":65777}"#

    static func head(_ target: String, length: Int) -> String {
        "POST \(target) HTTP/1.1\r\nHost: shim\r\nAuthorization: \(tillAuthorization.1)\r\nContent-Type: application/json\r\nContent-Length: \(length)\r\nExpect: 100-continue\r\n\r\n"
    }

    @Test("A legacy call gets 100 Continue before it sends its body, then the translated answer")
    func legacy() async throws {
        let upstream = RecordingUpstream { _ in RecordingUpstream.json(RecordingUpstream.bulkSuccess) }
        try await upstream.withShim { shim in
            let connection = try await RawConnection(port: shim.proxy)
            try await connection.write(
                Self.head("/v2/promotion/issue?\(ShimOverSandboxTests.mobile)", length: Self.body.utf8.count))
            #expect(await connection.waitFor("\r\n\r\n"), "no interim answer within 5 s")
            #expect(connection.text.hasPrefix("HTTP/1.1 100 Continue\r\n"), "\(connection.text.prefix(120))")
            try await connection.write(Self.body)
            #expect(await connection.waitFor(#""sideEffects""#))
            #expect(connection.text.contains("HTTP/1.1 200 OK\r\n"))
            await connection.close()
        }
        #expect(upstream.requests.count == 1)
        #expect(upstream.requests.first?.headers[HTTPField.Name("Expect")!] == nil)
    }

    @Test("Passthrough gets 100 Continue from the shim, and Expect is not forwarded upstream")
    func passthrough() async throws {
        let upstream = RecordingUpstream { _ in Response(status: .created) }
        try await upstream.withShim { shim in
            let connection = try await RawConnection(port: shim.proxy)
            try await connection.write(Self.head("/v2/customers/add", length: 5))
            #expect(await connection.waitFor("\r\n\r\n"), "no interim answer within 5 s")
            #expect(connection.text.hasPrefix("HTTP/1.1 100 Continue\r\n"), "\(connection.text.prefix(120))")
            try await connection.write("hello")
            #expect(await connection.waitFor("HTTP/1.1 201"))
            await connection.close()
        }
        #expect(upstream.requests.map { String(decoding: $0.body, as: UTF8.self) } == ["hello"])
        #expect(upstream.requests.first?.headers[HTTPField.Name("Expect")!] == nil)
    }

    @Test(
        "A body declared larger than the limit gets 413 at once, without 100 Continue",
        arguments: ["/v2/promotion/issue?\(ShimOverSandboxTests.mobile)", "/v2/customers/add"]
    )
    func tooLarge(target: String) async throws {
        let upstream = RecordingUpstream { _ in Response(status: .ok) }
        try await upstream.withShim(configure: { $0.maxPassthroughBodyBytes = 1000 }) { shim in
            let connection = try await RawConnection(port: shim.proxy)
            try await connection.write(Self.head(target, length: 50_000))
            #expect(await connection.waitFor("\r\n\r\n"), "no answer within 5 s")
            #expect(connection.text.hasPrefix("HTTP/1.1 413"), "\(connection.text.prefix(120))")
            #expect(!connection.text.contains("100 Continue"))
            // The caller may never send a body it was not invited to send: the connection ends.
            #expect(connection.text.lowercased().contains("\r\nconnection: close\r\n"))
            #expect(await connection.waitForClose(), "still open after 5 s")
            await connection.close()
        }
        #expect(upstream.requests.isEmpty)
    }
}
