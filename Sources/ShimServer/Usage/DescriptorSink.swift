import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The usage log's real sink: standard output, or a file opened for appending.
///
/// Only the usage log's writer thread calls ``write(_:)`` and ``reopen()``; the lock only makes the
/// descriptor safe to close from `deinit`.
final class DescriptorSink: UsageSink {
    let destination: UsageLog.Destination
    private let descriptor: Mutex<Int32>

    /// Opens the destination now, so a bad path stops start-up.
    init(_ destination: UsageLog.Destination) throws(ConfigurationError) {
        self.destination = destination
        do throws(UsageSinkError) {
            descriptor = Mutex(try Self.open(destination))
        } catch {
            if case .file(let path) = destination {
                throw ConfigurationError("cannot open usage log '\(path)': \(error)")
            }
            throw ConfigurationError("cannot open the usage log: \(error)")
        }
    }

    deinit {
        let fd = descriptor.withLock { $0 }
        if case .file = destination, fd >= 0 { close(fd) }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws(UsageSinkError) -> Int {
        let fd = descriptor.withLock { $0 }
        while true {
            #if canImport(Glibc)
            let written = Glibc.write(fd, bytes.baseAddress, bytes.count)
            #else
            let written = Darwin.write(fd, bytes.baseAddress, bytes.count)
            #endif
            if written > 0 { return written }
            if written < 0, errno == EINTR { continue }
            throw UsageSinkError(code: written < 0 ? errno : EIO)
        }
    }

    func reopen() throws(UsageSinkError) {
        guard case .file = destination else { return }
        let fresh = try Self.open(destination)
        let old = descriptor.withLock { fd in
            defer { fd = fresh }
            return fd
        }
        if old >= 0 { close(old) }
    }

    private static func open(_ destination: UsageLog.Destination) throws(UsageSinkError) -> Int32 {
        switch destination {
        case .standardOutput:
            return STDOUT_FILENO
        case .file(let path):
            #if canImport(Glibc)
            let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
            #else
            let fd = Darwin.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
            #endif
            guard fd >= 0 else { throw UsageSinkError(code: errno) }
            return fd
        }
    }
}
