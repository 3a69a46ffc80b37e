#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import Logging
import NIOPosix
public import ServiceLifecycle
public import ShimCore
import Synchronization
import UnixSignals

/// The usage log: one JSON line per legacy call, appended by a background writer in batches.
///
/// ``append(_:)`` only buffers in memory (one lock, no task switch), so a request never waits on
/// disk. Every ``flushInterval`` the writer takes the buffer and writes it with one `write(2)` on
/// NIO's thread pool; on graceful shutdown it writes everything still buffered before returning.
/// SIGUSR1 reopens the file, so logrotate can move it away.
public final class UsageLog: Service, Sendable {
    /// Where records go.
    public enum Destination: Sendable, Equatable {
        case standardOutput
        case file(String)
    }

    public let destination: Destination
    /// How often buffered records are written.
    public let flushInterval: Duration
    private let logger: Logger
    private let pending = Mutex<[UsageRecord]>([])
    private let reopenRequested = Atomic<Bool>(false)
    private let descriptor = Mutex<Int32>(-1)

    /// Opens the destination now, so a bad path stops start-up.
    public init(destination: Destination, flushInterval: Duration = .milliseconds(50), logger: Logger)
        throws(ConfigurationError)
    {
        self.destination = destination
        self.flushInterval = flushInterval
        self.logger = logger
        let fd = try Self.open(destination)
        descriptor.withLock { $0 = fd }
    }

    deinit {
        let fd = descriptor.withLock { $0 }
        if case .file = destination, fd >= 0 { close(fd) }
    }

    /// Buffers a record for the writer; never blocks on I/O.
    public func append(_ record: UsageRecord) {
        pending.withLock { $0.append(record) }
    }

    /// Asks the writer to reopen the file before its next write (what SIGUSR1 does).
    public func requestReopen() {
        reopenRequested.store(true, ordering: .relaxed)
    }

    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                for await _ in await UnixSignalsSequence(trapping: .sigusr1) {
                    requestReopen()
                }
            }
            await cancelWhenGracefulShutdown { [self] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: flushInterval)
                    await writePending()
                }
            }
            group.cancelAll()
        }
        // Calls that were in flight have finished (the listeners stop first): write what is left.
        await writePending()
    }

    /// Writes every buffered record in one batch.
    func writePending() async {
        if reopenRequested.exchange(false, ordering: .relaxed) { reopen() }
        let records = pending.withLock { records in
            defer { records.removeAll(keepingCapacity: true) }
            return records
        }
        guard !records.isEmpty else { return }
        var writer = JSONWriter(capacity: records.count * 400)
        for record in records { record.jsonLine(into: &writer) }
        let bytes = writer.bytes
        let fd = descriptor.withLock { $0 }
        do {
            // An unstructured task: the write must not be cancelled by shutdown, which is when the
            // last records are written.
            try await Task {
                try await NIOThreadPool.singleton.runIfActive { try Self.writeAll(bytes, to: fd) }
            }.value
        } catch {
            // Keep the records for the next attempt rather than lose them.
            pending.withLock { $0.insert(contentsOf: records, at: 0) }
            logger.error("usage log write failed; will retry", metadata: ["usage.records": "\(records.count)", "error": "\(error)"])
        }
    }

    private func reopen() {
        guard case .file = destination else { return }
        do {
            let fresh = try Self.open(destination)
            let old = descriptor.withLock { fd in
                defer { fd = fresh }
                return fd
            }
            if old >= 0 { close(old) }
            logger.notice("usage log reopened")
        } catch {
            logger.error("usage log reopen failed; keeping the old file", metadata: ["error": "\(error)"])
        }
    }

    private static func open(_ destination: Destination) throws(ConfigurationError) -> Int32 {
        switch destination {
        case .standardOutput:
            return STDOUT_FILENO
        case .file(let path):
            let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
            guard fd >= 0 else {
                throw ConfigurationError("cannot open usage log '\(path)': \(String(cString: strerror(errno)))")
            }
            return fd
        }
    }

    private struct WriteError: Error, CustomStringConvertible {
        let errno: Int32
        var description: String { String(cString: strerror(errno)) }
    }

    private static func writeAll(_ bytes: [UInt8], to fd: Int32) throws {
        try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw WriteError(errno: errno)
                }
                offset += written
            }
        }
    }
}
