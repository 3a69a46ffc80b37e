#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the usage log's bytes go: the seam between the writer and the operating system, so tests
/// can script a full disk, partial writes or a destination that never returns.
protocol UsageSink: Sendable {
    /// Writes a prefix of `bytes` with one `write(2)` (retrying only on EINTR) and returns how many
    /// bytes were written, at least one; a failure throws its errno. It may block (a full pipe).
    func write(_ bytes: UnsafeRawBufferPointer) throws(UsageSinkError) -> Int

    /// Opens the destination again (SIGUSR1, after logrotate moved the file); a no-op for a stream.
    func reopen() throws(UsageSinkError)
}

/// A failed `write(2)` or `open(2)` of the usage log, by errno; its description has no path.
struct UsageSinkError: Error, Sendable, CustomStringConvertible {
    /// The errno, e.g. `ENOSPC`.
    let code: Int32

    /// The system's text for the errno, e.g. "No space left on device".
    var description: String { String(cString: strerror(code)) }
}
