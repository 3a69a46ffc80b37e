import Foundation
import NIOHTTP1
import ShimServer
import Testing

/// Rolling restarts: after SIGTERM the shim stops looking ready at once but keeps accepting and
/// serving for the drain delay, closing each connection after its answer; a second signal ends the
/// delay.
@Suite("Drain delay (process)", .timeLimit(.minutes(2)))
struct DrainDelayTests {
    @Test(
        "During the drain delay /ready is 503, new calls are still served with Connection: close, and a second SIGTERM stops the shim at once"
    )
    func servesThroughTheDelay() async throws {
        // A delay far longer than the test: only the second signal can end it in time.
        let child = try ShimChild(arguments: ["--sandbox", "--drain-delay-seconds", "300"])
        let ports = try await child.ports()
        let ready = await eventually(within: .seconds(30)) {
            (try? await send(.GET, "\(ports.adminURL)/ready").status) == 200
        }
        #expect(ready)

        child.send(SIGTERM)
        let notReady = await eventually(within: .seconds(10)) {
            (try? await send(.GET, "\(ports.adminURL)/ready").status) == 503
        }
        #expect(notReady, "/ready did not turn 503 after SIGTERM")

        // A caller arriving now (its load balancer has not noticed yet) is served, and told to
        // take its next call elsewhere.
        let answer = try await issue(ports.proxyURL, query: ShimOverSandboxTests.mobile)
        #expect(answer.status == 200)
        #expect(answer.headers.first(name: "connection")?.lowercased() == "close")
        #expect(!child.hasExited)

        child.send(SIGTERM)
        #expect(await child.exitStatus(within: .seconds(30)) == 0)
    }
}
