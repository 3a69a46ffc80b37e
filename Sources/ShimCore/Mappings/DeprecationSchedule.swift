/// The end of the legacy endpoint, as operations schedule it (`deprecation.yaml`, optional):
/// brownout windows in which legacy calls fail on purpose (or, in a dry run, would have), and what
/// happens after the sunset date. Passthrough traffic is never affected.
///
/// Times are milliseconds since the Unix epoch. A window holds from its `start` (included) to its
/// `end` (excluded); the sunset holds from the sunset date on.
package struct DeprecationSchedule: Sendable, Equatable {
    /// What a window does to the calls it covers.
    package enum Mode: String, Sendable, Equatable {
        /// Calls are refused with HTTP 410 and nothing is sent to the vendor.
        case enforce
        /// Calls are served as usual; their usage records say they would have been refused.
        case dryRun
    }

    /// One brownout window.
    package struct Brownout: Sendable, Equatable {
        /// First millisecond of the window.
        package var start: Int64
        /// First millisecond after the window.
        package var end: Int64
        /// Whether the window refuses calls or only records that it would.
        package var mode: Mode
        /// Only these clients (as named in the usage log); `nil`: every client.
        package var clients: Set<String>?
        /// Clients the window never refuses.
        package var exempt: Set<String>
        /// Line of the window in `deprecation.yaml`, for errors found later (against the sunset date).
        package var line: Int?

        /// A window as given; ``DeprecationSchedule/init(brownouts:afterSunset:sunsetExempt:)`` checks it.
        package init(
            start: Int64, end: Int64, mode: Mode, clients: Set<String>? = nil, exempt: Set<String> = [], line: Int? = nil
        ) {
            self.start = start
            self.end = end
            self.mode = mode
            self.clients = clients
            self.exempt = exempt
            self.line = line
        }

        /// Whether the window covers a call of `client` at `time`.
        package func covers(client: String, at time: Int64) -> Bool {
            time >= start && time < end && !exempt.contains(client) && (clients?.contains(client) ?? true)
        }
    }

    /// What calls get once the sunset date has passed.
    package enum SunsetAction: String, Sendable, Equatable {
        /// Served as usual (the default); their usage records say they would be refused.
        case serve
        /// Refused with HTTP 410 and nothing sent to the vendor.
        case reject
    }

    /// Why the schedule refuses a call, or would.
    package enum Refusal: Sendable, Equatable {
        /// A brownout window is open until `end` (milliseconds since the epoch, excluded).
        case brownout(end: Int64)
        /// The sunset date has passed.
        case sunset

        /// The usage-log outcome of the refusal.
        package var outcome: CallOutcome {
            switch self {
            case .brownout: return .brownout
            case .sunset: return .sunset
            }
        }
    }

    /// What the schedule says about one call.
    package enum Verdict: Sendable, Equatable {
        /// Serve the call.
        case serve
        /// Refuse the call without asking the vendor.
        case refuse(Refusal)
        /// Serve the call, and record that it would have been refused (a dry run).
        case wouldRefuse(Refusal)
    }

    /// The windows, in time order; they never overlap.
    package private(set) var brownouts: [Brownout]
    /// What calls get once the sunset date has passed.
    package var afterSunset: SunsetAction
    /// Clients served after the sunset date whatever `afterSunset` says.
    package var sunsetExempt: Set<String>

    /// No windows, and calls served after the sunset date: the schedule when the file is absent.
    package static let none = DeprecationSchedule()

    private init() {
        self.brownouts = []
        self.afterSunset = .serve
        self.sunsetExempt = []
    }

    /// - Throws: ``MappingError`` when two windows overlap or a window ends before it starts.
    package init(brownouts: [Brownout], afterSunset: SunsetAction, sunsetExempt: Set<String>) throws(MappingError) {
        self.brownouts = []
        self.afterSunset = afterSunset
        self.sunsetExempt = sunsetExempt
        for window in brownouts.sorted(by: { $0.start < $1.start }) {
            guard window.end > window.start else {
                throw MappingError(
                    file: Self.file, line: window.line, keyPath: "brownouts",
                    reason:
                        "the window ends (\(RFC3339.format(epochMilliseconds: window.end))) at or before its start (\(RFC3339.format(epochMilliseconds: window.start)))"
                )
            }
            if let previous = self.brownouts.last, window.start < previous.end {
                throw MappingError(
                    file: Self.file, line: window.line, keyPath: "brownouts",
                    reason:
                        "the window starting \(RFC3339.format(epochMilliseconds: window.start)) overlaps the one ending \(RFC3339.format(epochMilliseconds: previous.end))\(previous.line.map { " (line \($0))" } ?? "")"
                )
            }
            self.brownouts.append(window)
        }
    }

    /// Checks the schedule against the sunset date: every window must end by it (after it, the
    /// `afterSunset` rule decides), and `afterSunset: reject` needs a sunset date to act on.
    /// - Parameter sunset: The sunset date in milliseconds since the epoch, if one is set.
    package func check(sunset: Int64?) throws(MappingError) {
        guard let sunset else {
            if afterSunset == .reject {
                throw MappingError(
                    file: Self.file, line: nil, keyPath: "afterSunset.action",
                    reason: "'reject' needs a sunset date (--sunset-date or SHIM_SUNSET_DATE)"
                )
            }
            return
        }
        for window in brownouts where window.end > sunset {
            throw MappingError(
                file: Self.file, line: window.line, keyPath: "brownouts",
                reason:
                    "the window ending \(RFC3339.format(epochMilliseconds: window.end)) runs past the sunset date \(RFC3339.format(epochMilliseconds: sunset)); after it, afterSunset decides"
            )
        }
    }

    /// What the schedule says about a call of `client` at `time`.
    /// - Parameters:
    ///   - time: When the call arrived, in milliseconds since the epoch.
    ///   - sunset: The sunset date in milliseconds since the epoch, if one is set.
    package func verdict(client: String, at time: Int64, sunset: Int64?) -> Verdict {
        if let sunset, time >= sunset {
            if sunsetExempt.contains(client) { return .serve }
            return afterSunset == .reject ? .refuse(.sunset) : .wouldRefuse(.sunset)
        }
        for window in brownouts {
            if window.start > time { break }
            if window.covers(client: client, at: time) {
                return window.mode == .enforce ? .refuse(.brownout(end: window.end)) : .wouldRefuse(.brownout(end: window.end))
            }
        }
        return .serve
    }
}
