package import AsyncHTTPClient
import NIOCore
import NIOHTTP1
package import ShimCore

/// Replays recorded calls against the legacy endpoint and through the shim, and compares the answers.
package struct CallReplayer: Sendable {
    /// The comparison of one call.
    package struct Result: Sendable {
        /// The call that was replayed.
        package var call: RecordedCall
        /// How the shim's answer compares with the legacy endpoint's; `different` when either could not be fetched.
        package var verdict: ShapeComparison.Verdict
        /// The diff lines (`- legacy`, `+ shim`), or why the call could not be replayed; empty unless `different`.
        package var diff: [String]
    }

    /// The client both targets are called with; the caller owns it and shuts it down.
    package let client: HTTPClient

    /// A replayer that sends calls with `client`.
    package init(client: HTTPClient) {
        self.client = client
    }

    /// Sends each call to `legacy` then to `shim`, in order, and compares the two answers.
    package func compare(_ calls: [RecordedCall], legacy: String, shim: String) async -> [Result] {
        var results: [Result] = []
        for call in calls {
            do {
                let old = try await send(call, to: legacy)
                let new = try await send(call, to: shim)
                let comparison = ShapeComparison.compare(legacy: old, shim: new)
                results.append(Result(call: call, verdict: comparison.verdict, diff: comparison.diff))
            } catch {
                results.append(Result(call: call, verdict: .different, diff: ["could not replay: \(error)"]))
            }
        }
        return results
    }

    /// Headers never replayed: the client sets them for the new target, or they are hop-by-hop.
    static let skippedHeaders: Set<String> = ProxyHeaders.hopByHop.union(["host", "content-length", "accept-encoding"])

    private func send(_ call: RecordedCall, to base: String) async throws -> ShapeComparison.Answer {
        var base = base
        while base.hasSuffix("/") { base.removeLast() }
        var request = HTTPClientRequest(url: base + call.target)
        request.method = HTTPMethod(rawValue: call.method)
        for header in call.headers where !Self.skippedHeaders.contains(header.name.lowercased()) {
            request.headers.add(name: header.name, value: header.value)
        }
        if !call.body.isEmpty { request.body = .bytes(ByteBuffer(string: call.body)) }
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 16 << 20)
        return ShapeComparison.Answer(
            status: Int(response.status.code),
            contentType: response.headers.first(name: "content-type"),
            body: Array(body.readableBytesView)
        )
    }

    /// The report: a line per call (and its diff), then the counts.
    package static func report(_ results: [Result]) -> String {
        var lines: [String] = []
        for (index, result) in results.enumerated() {
            lines.append("#\(index + 1) \(result.call.method) \(result.call.target): \(result.verdict.rawValue)")
            lines += result.diff.map { "    " + $0 }
        }
        let counts = Dictionary(grouping: results, by: \.verdict).mapValues(\.count)
        lines.append(
            "\(counts[.identical] ?? 0) identical, \(counts[.equivalent] ?? 0) equivalent, \(counts[.different] ?? 0) different"
        )
        return lines.joined(separator: "\n") + "\n"
    }
}
