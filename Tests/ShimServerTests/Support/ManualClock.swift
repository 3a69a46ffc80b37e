import ShimCore
import ShimServer
import Synchronization

/// A wall clock tests set: brownout windows and the sunset date are crossed by moving it, not by sleeping.
final class ManualClock: Sendable {
    private let now: Mutex<Int64>

    /// - Parameter time: An RFC 3339 date-time.
    init(_ time: String) {
        self.now = Mutex(RFC3339.parse(time)!)
    }

    /// Sets the time to an RFC 3339 date-time, plus `offset` milliseconds.
    func set(_ time: String, plus offset: Int64 = 0) {
        now.withLock { $0 = RFC3339.parse(time)! + offset }
    }

    /// The clock for a ``ShimConfiguration``.
    var wallClock: WallClock {
        WallClock { [self] in self.now.withLock { $0 } }
    }
}
