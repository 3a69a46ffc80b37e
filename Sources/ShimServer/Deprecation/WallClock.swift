import Foundation

/// Where the shim reads the time of day for what the calendar decides: brownout windows, the
/// sunset date and the usage record's timestamp. Tests inject one they move; the server uses
/// ``system``.
package struct WallClock: Sendable {
    /// Milliseconds since the Unix epoch, now.
    package let milliseconds: @Sendable () -> Int64

    /// A clock that reads the time from `milliseconds` (milliseconds since the Unix epoch).
    package init(milliseconds: @escaping @Sendable () -> Int64) {
        self.milliseconds = milliseconds
    }

    /// The system's clock.
    package static let system = WallClock { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }
}
