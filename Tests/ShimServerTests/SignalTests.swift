import Foundation
import NIOHTTP1
import ShimServer
import Testing

/// Signals an operator or logrotate sends: SIGHUP (reload mappings) and SIGUSR1 (reopen the usage
/// log) never kill the shim, whatever it was started with and however early they come.
@Suite("Signals", .timeLimit(.minutes(2)))
struct SignalTests {
    /// The bit of `signal` in a `/proc/PID/status` signal mask.
    static func bit(_ signal: Int32) -> UInt64 { 1 << UInt64(signal - 1) }

    @Test("SIGUSR1 and SIGHUP to a shim without a usage log are no-ops")
    func usr1WithoutUsageLog() async throws {
        try await withShimProcess(arguments: ["--sandbox"]) { shim in
            for _ in 0..<3 {
                kill(shim.process.processIdentifier, SIGUSR1)
                kill(shim.process.processIdentifier, SIGHUP)
            }
            // Still serving afterwards (withShimProcess then expects a clean exit 0 on SIGTERM).
            let served = await eventually(within: .seconds(10)) {
                (try? await send(.GET, "\(shim.ports.adminURL)/health").status) == 200
            }
            #expect(served)
            #expect(shim.process.isRunning)
        }
    }

    @Test("SIGHUP and SIGUSR1 right after start-up, before the listeners run, do not kill the shim")
    func earlySignals() async throws {
        let child = try ShimChild(arguments: ["--sandbox"])
        // As soon as the process shows a disposition for SIGHUP (it has got past process start),
        // send both; the shim must already handle SIGUSR1 too.
        let handled = await eventually(within: .seconds(30)) {
            child.hasExited || child.handledSignals() & Self.bit(SIGHUP) != 0
        }
        #expect(handled)
        child.send(SIGUSR1)
        child.send(SIGHUP)
        let ports = try await child.ports()
        #expect(try await send(.GET, "\(ports.adminURL)/health").status == 200)
        #expect(!child.hasExited)
        child.send(SIGTERM)
        #expect(await child.exitStatus(within: .seconds(30)) == 0)
    }
}
