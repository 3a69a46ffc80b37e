import Foundation
import Prometheus
import Synchronization

/// The standard process metrics (`process_cpu_seconds_total`, `process_resident_memory_bytes`,
/// `process_open_fds`, `process_start_time_seconds`), read from `/proc/self` when `/metrics` is
/// scraped, under the names every Prometheus client library uses.
final class ProcessMetrics: Sendable {
    private let cpuSeconds: Counter
    /// What the CPU counter has been raised to so far.
    private let cpuCounted = Mutex(0.0)
    private let residentBytes: Gauge
    private let openFileDescriptors: Gauge
    private let startTime: Gauge

    init(registry: PrometheusCollectorRegistry) {
        // A counter, raised to the kernel's figure at each scrape.
        cpuSeconds = registry.makeCounter(descriptor: MetricHelp.descriptor("process_cpu_seconds_total"))
        residentBytes = registry.makeGauge(descriptor: MetricHelp.descriptor("process_resident_memory_bytes"))
        openFileDescriptors = registry.makeGauge(descriptor: MetricHelp.descriptor("process_open_fds"))
        startTime = registry.makeGauge(descriptor: MetricHelp.descriptor("process_start_time_seconds"))
        startTime.set(Self.startTimeSeconds() ?? Date().timeIntervalSince1970)
    }

    /// Reads the current figures.
    func update() {
        var usage = rusage()
        if getrusage(RUSAGE_SELF.rawValue, &usage) == 0 {
            let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
            let increase = cpuCounted.withLock { counted -> Double in
                let total = user + system
                defer { counted = max(counted, total) }
                return max(0, total - counted)
            }
            if increase > 0 { cpuSeconds.increment(by: increase) }
        }
        if let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
            let pages = statm.split(separator: " ").dropFirst().first.flatMap({ Double($0) })
        {
            residentBytes.set(pages * Double(sysconf(Int32(_SC_PAGESIZE))))
        }
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            // The directory listing itself holds one descriptor while it is read.
            openFileDescriptors.set(Double(max(0, entries.count - 1)))
        }
    }

    /// The process's start time: the boot time plus field 22 of `/proc/self/stat` (clock ticks).
    private static func startTimeSeconds() -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let closing = stat.lastIndex(of: ")"),
            let proc = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let bootLine = proc.split(separator: "\n").first(where: { $0.hasPrefix("btime ") }),
            let boot = Double(bootLine.dropFirst(6))
        else { return nil }
        // Fields after the command name start at field 3; starttime is field 22.
        let fields = stat[stat.index(after: closing)...].split(separator: " ")
        guard fields.count > 19, let ticks = Double(fields[19]) else { return nil }
        return boot + ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
