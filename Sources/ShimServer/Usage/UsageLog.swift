import Dispatch
import Foundation
package import Logging
import ServiceLifecycle
package import ShimCore
import Synchronization

/// The usage log: one JSON line per legacy call, written by a writer thread of its own in batches.
///
/// ``append(_:)`` only buffers in memory (one lock, no task switch), so a request never waits on
/// disk. The buffer is bounded (``capacity`` records): while the destination cannot take more (a
/// full disk, a pipe nobody reads), records past the bound are dropped and counted
/// (`promo_shim_usage_records_dropped_total`, a rate-limited error, ``problem`` for `/ready`)
/// instead of growing memory. A write that stops part-way is resumed where it stopped, never
/// repeated. On graceful shutdown the writer gets until ``finalFlushTimeout`` (or the group's
/// cancellation) to write what is left; whatever it could not is counted in ``lostRecords``.
/// ``requestReopen()`` (SIGUSR1) reopens the file between two lines, so logrotate can move it away.
package final class UsageLog: Service, Sendable {
    /// Where records go.
    package enum Destination: Sendable, Equatable {
        /// The process's standard output.
        case standardOutput
        /// A file at this path, created if missing and appended to.
        case file(String)
    }

    /// The destination; `nil` when a test supplied its own sink.
    package let destination: Destination?
    /// How often buffered records are written, and how often a failed write is tried again.
    package let flushInterval: Duration
    /// Most records held in memory before new ones are dropped.
    package var capacity: Int { state.withLock { $0.buffer.capacity } }
    /// How long the final write may take once shutdown begins.
    package let finalFlushTimeout: Duration

    private let sink: any UsageSink
    private let logger: Logger
    private let metrics: ShimMetrics?
    private let state: Mutex<WriterState>
    private let wake = DispatchSemaphore(value: 0)
    private let reopenRequested = Atomic<Bool>(false)
    /// Uptime in nanoseconds when the write under way began; 0 when none is.
    private let writeStartedAt = Atomic<Int64>(0)
    private let lastDropLogAt = Atomic<Int64>(Int64.min)

    /// How long a single write may take before `/ready` reports it as stalled.
    static let stallThreshold: Duration = .seconds(1)
    /// At most one error line per this interval about failing writes, and one about drops.
    static let errorLogInterval: Duration = .seconds(10)

    /// Opens the destination now, so a bad path stops start-up.
    /// - Parameters:
    ///   - capacity: Most records held in memory; past it records are dropped and counted.
    ///   - finalFlushTimeout: How long shutdown waits for the last records to be written.
    ///   - metrics: Where dropped records are counted.
    package convenience init(
        destination: Destination, flushInterval: Duration = .milliseconds(50), capacity: Int = 10_000,
        finalFlushTimeout: Duration = .seconds(25), metrics: ShimMetrics? = nil, logger: Logger
    ) throws(ConfigurationError) {
        self.init(
            sink: try DescriptorSink(destination), destination: destination, flushInterval: flushInterval,
            capacity: capacity, finalFlushTimeout: finalFlushTimeout, metrics: metrics, logger: logger
        )
    }

    /// A usage log over any sink (tests script failures with one).
    init(
        sink: any UsageSink, destination: Destination? = nil, flushInterval: Duration = .milliseconds(50),
        capacity: Int = 10_000, finalFlushTimeout: Duration = .seconds(25), metrics: ShimMetrics? = nil,
        logger: Logger
    ) {
        self.sink = sink
        self.destination = destination
        self.flushInterval = flushInterval
        self.finalFlushTimeout = finalFlushTimeout
        self.metrics = metrics
        self.logger = logger
        self.state = Mutex(WriterState(buffer: UsageBuffer(capacity: capacity)))
        metrics?.recordUsageRecordsDropped(0)
    }

    /// Buffers a record for the writer; never blocks on I/O. A full buffer drops and counts it.
    package func append(_ record: UsageRecord) {
        let kept = state.withLock { $0.buffer.append(record) }
        guard !kept else { return }
        metrics?.recordUsageRecordsDropped(1)
        logDropIfDue()
    }

    /// Asks the writer to reopen the file before its next write (what SIGUSR1 does).
    package func requestReopen() {
        reopenRequested.store(true, ordering: .relaxed)
        wake.signal()
    }

    /// Records dropped (buffer full) or not written by the shutdown deadline, since start.
    package var lostRecords: Int { state.withLock { $0.buffer.dropped + $0.abandoned } }

    /// Why the usage log is not keeping up, for `/ready`; `nil` while it is.
    package var problem: String? {
        let (failure, full) = state.withLock { ($0.failure, $0.buffer.isFull) }
        if let failure { return "usage log cannot be written (\(failure))" }
        let started = writeStartedAt.load(ordering: .relaxed)
        if started != 0, Self.uptime() - started > Self.stallThreshold.nanoseconds {
            return "usage log write stalled"
        }
        if full { return "usage records are being dropped: buffer full" }
        return nil
    }

    /// Starts the writer, waits for graceful shutdown, then writes what is left (within ``finalFlushTimeout``).
    package func run() async throws {
        startWriter()
        // Calls in flight finish before this returns: the listeners shut down first.
        try? await gracefulShutdown()
        try? await finish()
    }

    /// Starts the writer thread (once).
    func startWriter() {
        let start = state.withLock { state in
            defer { state.started = true }
            return !state.started
        }
        guard start else { return }
        let thread = Thread { [self] in writerLoop() }
        thread.name = "promo-shim-usage-log"
        thread.start()
    }

    /// Lets the writer write what is left, for up to ``finalFlushTimeout``; then gives up on the
    /// rest and counts it lost. Cancellation (the service group's own deadline) gives up at once.
    func finish() async throws {
        startWriter()
        state.withLock { $0.finishing = true }
        wake.signal()
        let deadline = ContinuousClock.now + finalFlushTimeout
        defer { abandonIfUnfinished() }
        while !state.withLock({ $0.done }), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    private func abandonIfUnfinished() {
        let lost = state.withLock { state -> Int in
            guard !state.done else { return 0 }
            state.done = true
            let lost = state.buffer.abandon()
            state.abandoned += lost
            return lost
        }
        wake.signal()
        guard lost > 0 else { return }
        metrics?.recordUsageRecordsDropped(lost)
        logger.error(
            "usage records not written by the shutdown deadline",
            metadata: ["usage.records.lost": "\(lost)", "usage.records.dropped": "\(lostRecords - lost)"]
        )
    }

    /// The writer thread: writes batches every ``flushInterval``, resumes partial writes, retries
    /// failures, and returns once shutdown has nothing left for it (or gave up on it).
    private func writerLoop() {
        while true {
            switch writeStep() {
            case .stop: return
            case .wrote(let batchDone):
                if batchDone, !state.withLock({ $0.finishing }) { pause() }
            case .idle, .failed: pause()
            }
        }
    }

    /// Writes every buffered record now, on the caller's thread (tests, without ``run()``),
    /// stopping at the first failure.
    func writePending() async {
        precondition(!state.withLock { $0.started }, "the writer thread is running")
        while case .wrote = writeStep() {}
    }

    /// What one step of the writer did.
    private enum Step {
        case wrote(batchDone: Bool)
        case failed
        case idle
        case stop
    }

    /// One `write(2)` of what is buffered, from where the last one stopped.
    private func writeStep() -> Step {
        if reopenRequested.load(ordering: .relaxed) { reopenIfBetweenLines() }
        let next = state.withLock { state -> (bytes: [UInt8], offset: Int)? in
            state.done ? nil : state.buffer.nextWrite()
        }
        guard let next else {
            return state.withLock { state in
                guard state.finishing || state.done else { return .idle }
                state.done = true
                return .stop
            }
        }
        let (bytes, offset) = next
        writeStartedAt.store(Self.uptime(), ordering: .relaxed)
        let result = bytes.withUnsafeBytes { buffer -> Result<Int, UsageSinkError> in
            do throws(UsageSinkError) {
                return .success(try sink.write(UnsafeRawBufferPointer(rebasing: buffer[offset...])))
            } catch {
                return .failure(error)
            }
        }
        writeStartedAt.store(0, ordering: .relaxed)
        switch result {
        case .success(let count):
            let (recovered, batchDone) = state.withLock { state in
                defer { state.failure = nil }
                // Given up on at the shutdown deadline while this write was under way.
                if state.done { return (false, true) }
                state.buffer.didWrite(count)
                return (state.failure != nil, state.buffer.batch.isEmpty)
            }
            if recovered {
                logger.notice("usage log writable again", metadata: ["usage.records.dropped": "\(lostRecords)"])
            }
            return .wrote(batchDone: batchDone)
        case .failure(let error):
            noteFailure(error)
            return .failed
        }
    }

    private func pause() {
        _ = wake.wait(timeout: .now() + .nanoseconds(Int(flushInterval.nanoseconds)))
    }

    private func noteFailure(_ error: UsageSinkError) {
        let now = ContinuousClock.now
        let report = state.withLock { state -> (failures: Int, buffered: Int, dropped: Int)? in
            state.failure = error.description
            state.failuresSinceLog += 1
            if let last = state.lastErrorLogAt, now - last < Self.errorLogInterval { return nil }
            state.lastErrorLogAt = now
            defer { state.failuresSinceLog = 0 }
            return (state.failuresSinceLog, state.buffer.unwrittenRecords, state.buffer.dropped)
        }
        guard let report else { return }
        logger.error(
            "usage log write failed; records stay buffered up to the bound, then are dropped",
            metadata: [
                "error": "\(error)", "usage.write.failures": "\(report.failures)",
                "usage.records.buffered": "\(report.buffered)", "usage.records.dropped": "\(report.dropped)",
            ]
        )
    }

    private func logDropIfDue() {
        let now = Self.uptime()
        let last = lastDropLogAt.load(ordering: .relaxed)
        guard last == Int64.min || now - last >= Self.errorLogInterval.nanoseconds,
            lastDropLogAt.compareExchange(expected: last, desired: now, ordering: .relaxed).exchanged
        else { return }
        logger.error(
            "usage records dropped: the usage log cannot keep up",
            metadata: ["usage.records.dropped": "\(lostRecords)", "usage.buffer.capacity": "\(capacity)"]
        )
    }

    private func reopenIfBetweenLines() {
        // Reopening mid-line would put the rest of a line at the start of the new file.
        guard state.withLock({ $0.buffer.isAtLineBoundary }) else { return }
        reopenRequested.store(false, ordering: .relaxed)
        do {
            try sink.reopen()
            logger.notice("usage log reopened")
        } catch {
            logger.error("usage log reopen failed; keeping the old file", metadata: ["error": "\(error)"])
        }
    }

    private static func uptime() -> Int64 {
        Int64(bitPattern: DispatchTime.now().uptimeNanoseconds)
    }
}

/// What the writer thread and the request path share, under one lock.
private struct WriterState {
    var buffer: UsageBuffer
    /// The last write's failure, until a write succeeds.
    var failure: String?
    var failuresSinceLog = 0
    var lastErrorLogAt: ContinuousClock.Instant?
    var abandoned = 0
    var started = false
    var finishing = false
    var done = false
}
