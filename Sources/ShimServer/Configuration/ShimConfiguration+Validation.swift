import NIOCore
import ShimCore

extension ShimConfiguration {
    /// Refuses values out of range, naming the option (and its environment variable) and the range;
    /// `promo-shim serve` calls it before anything starts, and tests call it without a server.
    ///
    /// The one place a setting's range is checked: the components trust it (and at most assert it).
    package func validate() throws(ConfigurationError) {
        try Self.check(port, in: 0...65_535, .port, note: " (0 picks a free port)")
        try Self.check(adminPort, in: 0...65_535, .adminPort, note: " (0 picks a free port)")
        try Self.check(maxLegacyBodyBytes, atLeast: 1, .maxBodyBytes)
        try Self.check(maxPassthroughBodyBytes, atLeast: 1, .maxPassthroughBodyBytes)
        try Self.check(timeouts.connect, .connectTimeoutMs)
        try Self.check(timeouts.request, .requestTimeoutMs)
        try Self.check(timeouts.read, .readTimeoutMs)
        try Self.check(timeouts.idle, .upstreamIdleTimeoutMs)
        try Self.check(TimeAmount(requestHeadTimeout), .requestHeadTimeoutMs)
        try Self.check(TimeAmount(requestBodyTimeout), .requestBodyTimeoutMs)
        try Self.check(TimeAmount(idleTimeout), .idleTimeoutMs)
        try Self.check(maxConcurrentUpstreamCalls, atLeast: 1, .maxConcurrentUpstream)
        try Self.check(maxConcurrentPassthroughCalls, atLeast: 1, .maxConcurrentPassthrough)
        try Self.check(maxQueuedUpstreamCalls, atLeast: 0, .maxQueuedUpstream)
        try Self.check(usageLogBufferRecords, atLeast: 1, .usageLogBufferRecords)
        guard shutdownTimeout >= .seconds(1) else {
            throw .refused("\(ConfigurationKey.shutdownTimeoutSeconds) must be at least 1, got \(shutdownTimeout)")
        }
        guard drainDelay >= .zero else {
            throw .refused("\(ConfigurationKey.drainDelaySeconds) must be 0 (no delay) or more, got \(drainDelay)")
        }
        guard coalesceWindow >= .zero else {
            throw .refused("\(ConfigurationKey.coalesceWindowMs) must be 0 (off) or more, got \(coalesceWindow)")
        }
        guard coalesceWindow < .nanoseconds(timeouts.request.nanoseconds) else {
            throw .refused(
                "\(ConfigurationKey.coalesceWindowMs) must be shorter than the upstream request timeout (\(ConfigurationKey.requestTimeoutMs.option!))"
            )
        }
        try Self.check(coalesceMax, in: 1...100, .coalesceMax, note: " (the vendor's batch limit)")
        do {
            try mappings.deprecation.check(sunset: deprecation.sunsetMilliseconds)
        } catch {
            var located = error
            if let directory = mappingsDirectory { located.file = directory + "/" + error.file }
            throw .refused("invalid mappings: \(located)")
        }
    }

    private static func check(
        _ value: Int, in range: ClosedRange<Int>, _ key: ConfigurationKey, note: String = ""
    )
        throws(ConfigurationError)
    {
        guard range.contains(value) else {
            throw .refused("\(key) must be within \(range.lowerBound)...\(range.upperBound)\(note), got \(value)")
        }
    }

    private static func check(_ value: Int, atLeast minimum: Int, _ key: ConfigurationKey) throws(ConfigurationError) {
        guard value >= minimum else { throw .refused("\(key) must be at least \(minimum), got \(value)") }
    }

    private static func check(_ timeout: TimeAmount, _ key: ConfigurationKey) throws(ConfigurationError) {
        guard timeout.nanoseconds >= 1_000_000 else {
            throw .refused("\(key) must be at least 1 ms, got \(timeout.nanoseconds / 1_000_000) ms")
        }
    }
}
