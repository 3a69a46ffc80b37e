import Foundation
import ShimServer
import Testing

/// Out-of-range options stop `promo-shim serve` with a message and a non-zero exit before any
/// listener starts.
@Suite("Start-up validation (process)", .timeLimit(.minutes(3)))
struct StartupValidationTests {
    @Test(
        "An out-of-range option is refused with a message naming it",
        arguments: [
            (["--port", "70000"], "--port"),
            (["--admin-port=-1"], "--admin-port"),
            (["--read-timeout-ms", "0"], "--read-timeout-ms"),
            (["--connect-timeout-ms=-1"], "--connect-timeout-ms"),
            (["--request-timeout-ms", "0"], "--request-timeout-ms"),
            (["--max-body-bytes=-5"], "--max-body-bytes"),
            (["--max-passthrough-body-bytes", "0"], "--max-passthrough-body-bytes"),
            (["--max-concurrent-upstream", "0"], "--max-concurrent-upstream"),
            (["--max-queued-upstream=-1"], "--max-queued-upstream"),
            (["--shutdown-timeout-seconds", "0"], "--shutdown-timeout-seconds"),
            (["--coalesce-window-ms=-1"], "--coalesce-window-ms"),
            (["--coalesce-max", "101"], "--coalesce-max"),
        ]
    )
    func refused(arguments: [String], option: String) async throws {
        let child = try ShimChild(arguments: ["--sandbox"] + arguments)
        let status = await child.exitStatus(within: .seconds(20))
        #expect(status != nil && status != 0, "\(arguments) was accepted")
        #expect(child.log.contains(option), "the message does not name \(option): \(child.log.suffix(500))")
        #expect(!child.log.contains("promo-shim listening on"))
    }
}
