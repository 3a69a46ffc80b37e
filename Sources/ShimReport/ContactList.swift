import ShimCore

/// Who to chase before the sunset: per client, when it last called, how much in the last 7 and 30
/// days, where its trend is heading against the sunset date, and what brownouts did to it.
///
/// Everything is relative to a reference time, `now` (the report's `--now`, by default its newest
/// record; the live page's current time). The windows are whole UTC days: "the last 7 days" is the
/// reference day and the 6 before it. Each client's trend is fitted over the last 30 days (from its
/// first call when that is later) up to the reference day, so days without calls count as zero.
package struct ContactList: Sendable {
    /// Where a client's calls are heading.
    package enum Projection: Sendable, Equatable {
        /// No call in the last 30 days.
        case stopped
        /// Falling, reaching zero on `zeroDate` (`YYYY-MM-DD`), on or before the sunset date.
        case onTrack(zeroDate: String)
        /// Falling, but reaching zero `days` after the sunset date, on `zeroDate`.
        case missesSunset(days: Int, zeroDate: String)
        /// Falling, reaching zero on `zeroDate`, with no sunset date to compare with.
        case falling(zeroDate: String)
        /// Flat or rising.
        case noDecline
        /// Calls on one day only (its first call was on the reference day): no trend yet.
        case tooFewDays

        /// A stable name for machines (CSV, JSON): `stopped`, `on_track`, `misses_sunset`, `falling`,
        /// `no_decline`, `too_few_days`.
        package var code: String {
            switch self {
            case .stopped: "stopped"
            case .onTrack: "on_track"
            case .missesSunset: "misses_sunset"
            case .falling: "falling"
            case .noDecline: "no_decline"
            case .tooFewDays: "too_few_days"
            }
        }

        /// The day the trend reaches zero, if it falls.
        package var zeroDate: String? {
            switch self {
            case .onTrack(let date), .missesSunset(_, let date), .falling(let date): date
            case .stopped, .noDecline, .tooFewDays: nil
            }
        }

        /// Plain words for people.
        package var text: String {
            switch self {
            case .stopped: "stopped (no calls in 30 days)"
            case .onTrack(let date): "on track, zero by \(date)"
            case .missesSunset(let days, _): "projected to miss the sunset by \(days) day\(days == 1 ? "" : "s")"
            case .falling(let date): "falling, zero by \(date)"
            case .noDecline: "no decline"
            case .tooFewDays: "not enough days to tell"
            }
        }
    }

    /// One client's line.
    package struct Contact: Sendable {
        /// The client as in the usage log.
        package var client: String
        /// Its last call, RFC 3339.
        package var lastSeen: String
        /// Calls on the reference day and the 6 days before it.
        package var callsLast7Days: Int
        /// Calls on the reference day and the 29 days before it.
        package var callsLast30Days: Int
        /// Where its calls are heading.
        package var projection: Projection
        /// Calls refused by an enforcing brownout window.
        package var brownoutRefusals: Int
        /// Calls refused after the sunset date.
        package var sunsetRefusals: Int
        /// Calls served that a dry-run window (or the sunset rule) would have refused.
        package var wouldBeRefusals: Int
    }

    /// The reference day, `YYYY-MM-DD` (`nil` when there was no record and no `now`).
    package let referenceDay: String?
    /// The sunset day, `YYYY-MM-DD`, if known.
    package let sunsetDay: String?
    /// Days from the reference day to the sunset day (negative once it has passed).
    package let daysToSunset: Int?
    /// Clients by calls in the last 7 days, then in the last 30, then the latest last call first.
    package let contacts: [Contact]

    /// The list of `summary`'s clients as of `now`, against the sunset at `sunsetMilliseconds`.
    package init(summary: UsageSummary, now: Int64?, sunsetMilliseconds: Int64?) {
        let reference = now.map(Self.day)
        let sunset = sunsetMilliseconds.map(Self.day)
        referenceDay = reference.map(Days.string)
        sunsetDay = sunset.map(Days.string)
        daysToSunset = reference.flatMap { reference in sunset.map { $0 - reference } }
        guard let reference else {
            contacts = []
            return
        }
        contacts = summary.clients.values.map { client in
            Self.contact(client, reference: reference, sunset: sunset)
        }.sorted {
            if $0.callsLast7Days != $1.callsLast7Days { return $0.callsLast7Days > $1.callsLast7Days }
            if $0.callsLast30Days != $1.callsLast30Days { return $0.callsLast30Days > $1.callsLast30Days }
            return $0.lastSeen != $1.lastSeen ? $0.lastSeen > $1.lastSeen : $0.client < $1.client
        }
    }

    static func day(_ milliseconds: Int64) -> Int {
        Int((milliseconds >= 0 ? milliseconds : milliseconds - 86_399_999) / 86_400_000)
    }

    private static func contact(_ client: UsageSummary.Client, reference: Int, sunset: Int?) -> Contact {
        let last30 = client.calls(fromDay: reference - 29, toDay: reference)
        return Contact(
            client: client.name,
            lastSeen: client.lastSeen,
            callsLast7Days: client.calls(fromDay: reference - 6, toDay: reference),
            callsLast30Days: last30,
            projection: last30 == 0 ? .stopped : projection(client, reference: reference, sunset: sunset),
            brownoutRefusals: client.brownoutRefusals,
            sunsetRefusals: client.sunsetRefusals,
            wouldBeRefusals: client.wouldBeRefusals
        )
    }

    private static func projection(_ client: UsageSummary.Client, reference: Int, sunset: Int?) -> Projection {
        let first = max(reference - 29, ContactList.day(client.firstSeenMilliseconds))
        guard first <= reference else { return .noDecline }
        let series = (first...reference).map { (day: Days.string($0), calls: client.callsPerDay[$0] ?? 0) }
        let trend = Trend(series: series)
        guard trend.days >= 2 else { return .tooFewDays }
        guard trend.verdict == "falling", let zeroDate = trend.zeroDate, let zeroDay = Days.number(zeroDate) else {
            return .noDecline
        }
        guard let sunset else { return .falling(zeroDate: zeroDate) }
        return zeroDay <= sunset ? .onTrack(zeroDate: zeroDate) : .missesSunset(days: zeroDay - sunset, zeroDate: zeroDate)
    }
}
