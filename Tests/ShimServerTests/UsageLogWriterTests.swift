import Foundation
import Logging
import ShimCore
import Synchronization
import Testing

@testable import ShimServer

/// The usage log's writer over a scripted sink: partial writes, a disk that fills and frees, a
/// destination that never returns, and the bound on memory.
@Suite("Usage log writer", .timeLimit(.minutes(2)))
struct UsageLogWriterTests {
    /// What the scripted sink does on its next write.
    enum Move: Sendable {
        /// Writes at most this many bytes.
        case upTo(Int)
        /// Fails with this errno.
        case fail(Int32)
    }

    /// A sink that follows a script, then writes everything; keeps the bytes written.
    final class ScriptedSink: UsageSink {
        private let state: Mutex<(script: [Move], bytes: [UInt8], writes: Int)>
        /// While set, a write blocks (a pipe nobody reads).
        let blocked = Atomic<Bool>(false)

        init(_ script: [Move] = []) {
            state = Mutex((script, [], 0))
        }

        var bytes: [UInt8] { state.withLock { $0.bytes } }
        var writes: Int { state.withLock { $0.writes } }
        var text: String { String(decoding: bytes, as: UTF8.self) }

        /// Forgets the rest of the script: every write succeeds from now on.
        func clearScript() {
            state.withLock { $0.script = [] }
        }

        func write(_ buffer: UnsafeRawBufferPointer) throws(UsageSinkError) -> Int {
            while blocked.load(ordering: .relaxed) { usleep(1000) }
            let move = state.withLock { state -> Move? in
                state.writes += 1
                return state.script.isEmpty ? nil : state.script.removeFirst()
            }
            var count = buffer.count
            switch move {
            case .fail(let code): throw UsageSinkError(code: code)
            case .upTo(let limit): count = min(limit, buffer.count)
            case nil: break
            }
            state.withLock { $0.bytes += buffer.prefix(count) }
            return count
        }

        func reopen() throws(UsageSinkError) {}
    }

    static func record(_ id: Int) -> UsageRecord {
        UsageRecord(timestampMilliseconds: 0, requestId: "r-\(id)", client: "c", outcome: .issued, latencyMilliseconds: 1)
    }

    static let logger = Logger(label: "test")

    /// The request ids of the complete lines written, and whether anything is left after the last newline.
    static func lines(_ text: String) -> (ids: [String], torn: Bool) {
        let parts = text.split(separator: "\n", omittingEmptySubsequences: false)
        let ids = parts.dropLast().map { line -> String in
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return object?["requestId"] as? String ?? "TORN: \(line)"
        }
        return (ids, !(parts.last ?? "").isEmpty)
    }

    @Test("A disk that fills part-way through a batch and then frees: every record once, no torn line")
    func partialWritesResume() async {
        // 37 bytes, then ENOSPC three times, then 5 bytes, ENOSPC, then room again.
        let sink = ScriptedSink([.upTo(37), .fail(ENOSPC), .fail(ENOSPC), .fail(ENOSPC), .upTo(5), .fail(ENOSPC)])
        let log = UsageLog(sink: sink, capacity: 100, logger: Self.logger)
        for id in 0..<10 { log.append(Self.record(id)) }
        for _ in 0..<10 { await log.writePending() }
        for id in 10..<20 { log.append(Self.record(id)) }
        for _ in 0..<10 { await log.writePending() }
        let (ids, torn) = Self.lines(sink.text)
        #expect(ids == (0..<20).map { "r-\($0)" })
        #expect(!torn)
        #expect(log.lostRecords == 0)
        #expect(log.problem == nil)
    }

    @Test("Past the bound records are dropped and counted; memory holds at most the bound")
    func boundedBuffer() async {
        let sink = ScriptedSink(Array(repeating: .fail(ENOSPC), count: 1000))
        let metrics = ShimMetrics()
        let log = UsageLog(sink: sink, capacity: 50, metrics: metrics, logger: Self.logger)
        for id in 0..<30 { log.append(Self.record(id)) }
        await log.writePending()
        #expect(log.problem?.contains("cannot be written") == true)
        for id in 30..<200 { log.append(Self.record(id)) }
        #expect(log.lostRecords == 150)
        let exposition = String(decoding: metrics.exposition(), as: UTF8.self)
        #expect(exposition.contains("promo_shim_usage_records_dropped_total 150"))
        // The disk frees: the 50 kept records are written, in order, and the log is healthy again.
        sink.clearScript()
        await log.writePending()
        let (ids, torn) = Self.lines(sink.text)
        #expect(ids == (0..<50).map { "r-\($0)" })
        #expect(!torn)
        #expect(log.problem == nil)
    }

    @Test("The final flush of a destination that never returns ends at its deadline and counts the loss")
    func stalledFinalFlush() async throws {
        let sink = ScriptedSink()
        sink.blocked.store(true, ordering: .relaxed)
        let log = UsageLog(
            sink: sink, flushInterval: .milliseconds(5), capacity: 100, finalFlushTimeout: .milliseconds(300),
            logger: Self.logger
        )
        log.startWriter()
        for id in 0..<10 { log.append(Self.record(id)) }
        let stalled = await eventually(within: .seconds(20)) { log.problem == "usage log write stalled" }
        #expect(stalled)
        let started = ContinuousClock.now
        try await log.finish()
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(log.lostRecords == 10)
        sink.blocked.store(false, ordering: .relaxed)
    }

    @Test("The final flush writes everything buffered when the destination works")
    func finalFlushWritesAll() async throws {
        let sink = ScriptedSink([.upTo(3), .fail(EAGAIN), .upTo(100)])
        let log = UsageLog(sink: sink, flushInterval: .milliseconds(20), capacity: 1000, logger: Self.logger)
        log.startWriter()
        for id in 0..<500 { log.append(Self.record(id)) }
        try await log.finish()
        let (ids, torn) = Self.lines(sink.text)
        #expect(ids == (0..<500).map { "r-\($0)" })
        #expect(!torn)
        #expect(log.lostRecords == 0)
    }
}
