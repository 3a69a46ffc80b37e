import NIOCore
import ShimCore

extension ShimConfiguration {
    /// Refuses values out of range, naming the option (and its environment variable) and the range;
    /// `promo-shim serve` calls it before anything starts, and tests call it without a server.
    public func validate() throws(ConfigurationError) {
        try Self.check(port, in: 0...65_535, "--port (SHIM_PORT)", note: " (0 picks a free port)")
        try Self.check(adminPort, in: 0...65_535, "--admin-port (SHIM_ADMIN_PORT)", note: " (0 picks a free port)")
        try Self.check(maxLegacyBodyBytes, atLeast: 1, "--max-body-bytes (SHIM_MAX_BODY_BYTES)")
        try Self.check(
            maxPassthroughBodyBytes, atLeast: 1, "--max-passthrough-body-bytes (SHIM_MAX_PASSTHROUGH_BODY_BYTES)"
        )
        try Self.check(timeouts.connect, "--connect-timeout-ms (SHIM_CONNECT_TIMEOUT_MS)")
        try Self.check(timeouts.request, "--request-timeout-ms (SHIM_REQUEST_TIMEOUT_MS)")
        try Self.check(timeouts.read, "--read-timeout-ms (SHIM_READ_TIMEOUT_MS)")
        try Self.check(timeouts.idle, "--upstream-idle-timeout-ms (SHIM_UPSTREAM_IDLE_TIMEOUT_MS)")
        try Self.check(TimeAmount(requestHeadTimeout), "--request-head-timeout-ms (SHIM_REQUEST_HEAD_TIMEOUT_MS)")
        try Self.check(TimeAmount(requestBodyTimeout), "--request-body-timeout-ms (SHIM_REQUEST_BODY_TIMEOUT_MS)")
        try Self.check(TimeAmount(idleTimeout), "--idle-timeout-ms (SHIM_IDLE_TIMEOUT_MS)")
        try Self.check(maxConcurrentUpstreamCalls, atLeast: 1, "--max-concurrent-upstream (SHIM_MAX_CONCURRENT_UPSTREAM)")
        try Self.check(
            maxConcurrentPassthroughCalls, atLeast: 1, "--max-concurrent-passthrough (SHIM_MAX_CONCURRENT_PASSTHROUGH)"
        )
        try Self.check(maxQueuedUpstreamCalls, atLeast: 0, "--max-queued-upstream (SHIM_MAX_QUEUED_UPSTREAM)")
        try Self.check(usageLogBufferRecords, atLeast: 1, "--usage-log-buffer-records (SHIM_USAGE_LOG_BUFFER_RECORDS)")
        guard shutdownTimeout >= .seconds(1) else {
            throw ConfigurationError(
                "--shutdown-timeout-seconds (SHIM_SHUTDOWN_TIMEOUT_SECONDS) must be at least 1, got \(shutdownTimeout)"
            )
        }
        guard drainDelay >= .zero else {
            throw ConfigurationError(
                "--drain-delay-seconds (SHIM_DRAIN_DELAY_SECONDS) must be 0 (no delay) or more, got \(drainDelay)"
            )
        }
        guard coalesceWindow >= .zero else {
            throw ConfigurationError(
                "--coalesce-window-ms (SHIM_COALESCE_WINDOW_MS) must be 0 (off) or more, got \(coalesceWindow)"
            )
        }
        guard coalesceWindow < .nanoseconds(timeouts.request.nanoseconds) else {
            throw ConfigurationError(
                "--coalesce-window-ms (SHIM_COALESCE_WINDOW_MS) must be shorter than the upstream request timeout (--request-timeout-ms)"
            )
        }
        try Self.check(coalesceMax, in: 1...100, "--coalesce-max (SHIM_COALESCE_MAX)", note: " (the vendor's batch limit)")
        do {
            try mappings.deprecation.check(sunset: deprecation.sunsetMilliseconds)
        } catch {
            var located = error
            if let directory = mappingsDirectory { located.file = directory + "/" + error.file }
            throw ConfigurationError("invalid mappings: \(located)")
        }
    }

    private static func check(_ value: Int, in range: ClosedRange<Int>, _ option: String, note: String = "")
        throws(ConfigurationError)
    {
        guard range.contains(value) else {
            throw ConfigurationError(
                "\(option) must be within \(range.lowerBound)...\(range.upperBound)\(note), got \(value)"
            )
        }
    }

    private static func check(_ value: Int, atLeast minimum: Int, _ option: String) throws(ConfigurationError) {
        guard value >= minimum else { throw ConfigurationError("\(option) must be at least \(minimum), got \(value)") }
    }

    private static func check(_ timeout: TimeAmount, _ option: String) throws(ConfigurationError) {
        guard timeout.nanoseconds >= 1_000_000 else {
            throw ConfigurationError("\(option) must be at least 1 ms, got \(timeout.nanoseconds / 1_000_000) ms")
        }
    }
}
