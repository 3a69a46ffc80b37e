import NIOCore
import ShimCore

extension ShimConfiguration: CustomStringConvertible, CustomDebugStringConvertible {
    /// The settings an operator chose, with the customer-hash key redacted: descriptions end up in
    /// logs (the service lifecycle logs its services at debug level).
    package var description: String {
        let usage: String
        switch usageLog {
        case .none: usage = "none"
        case .standardOutput: usage = "stdout"
        case .file(let path): usage = path
        }
        let fields = [
            "host: \(host)", "port: \(port)", "adminHost: \(adminHost)", "adminPort: \(adminPort)",
            "upstream: \(upstream)", "mappings: \(mappings.version)",
            "mappingsDirectory: \(mappingsDirectory ?? "none")", "maxLegacyBodyBytes: \(maxLegacyBodyBytes)",
            "timeouts: connect \(timeouts.connect.nanoseconds / 1_000_000) ms, read \(timeouts.read.nanoseconds / 1_000_000) ms, request \(timeouts.request.nanoseconds / 1_000_000) ms",
            "maxConcurrentUpstreamCalls: \(maxConcurrentUpstreamCalls)",
            "maxQueuedUpstreamCalls: \(maxQueuedUpstreamCalls)", "maxPassthroughBodyBytes: \(maxPassthroughBodyBytes)",
            "verifyUpstreamCertificates: \(verifyUpstreamCertificates)", "coalesceWindow: \(coalesceWindow)",
            "coalesceMax: \(coalesceMax)", "usageLog: \(usage)", "usageLogBufferRecords: \(usageLogBufferRecords)",
            "shutdownTimeout: \(shutdownTimeout)", "drainDelay: \(drainDelay)", "watchMappings: \(watchMappings)",
            "customerHashKey: \(customerHashKey == nil ? "none (random per process)" : "<redacted>")",
            "portsFile: \(portsFile ?? "none")",
        ]
        return "ShimConfiguration(\(fields.joined(separator: ", ")))"
    }

    /// The same as ``description``: never the key.
    package var debugDescription: String { description }
}
