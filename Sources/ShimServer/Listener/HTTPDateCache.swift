import Foundation
import Synchronization

/// The `Date` header value of the current second, formatted once per second rather than per answer.
final class HTTPDateCache: Sendable {
    private struct Cached {
        var second: Int = -1
        var value: String = ""
    }

    private let cached = Mutex(Cached())

    /// The current time as an IMF-fixdate (RFC 9110), e.g. `Tue, 01 Dec 2026 01:02:03 GMT`.
    var now: String {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        let second = time.tv_sec
        return cached.withLock { cached in
            if cached.second != second {
                cached.second = second
                cached.value = Self.format(second)
            }
            return cached.value
        }
    }

    static func format(_ second: Int) -> String {
        var seconds = time_t(second)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
