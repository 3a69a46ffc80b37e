import ShimCore

/// A least-squares line through calls per day: is usage falling, and when does it reach zero?
package struct Trend: Sendable {
    /// Change in calls per day, per day (negative: falling).
    package var slopePerDay: Double
    /// The fitted calls on the last day.
    package var fittedLastDay: Double
    /// The day the fitted line reaches zero, when usage is falling.
    package var zeroDate: String?
    /// Number of days the line was fitted over.
    package var days: Int

    /// Plain-words verdict for the report.
    package var verdict: String {
        guard days >= 2 else { return "not enough days to tell" }
        if abs(slopePerDay) < 0.01 { return "flat" }
        return slopePerDay < 0 ? "falling" : "rising"
    }

    /// Fits the line through calls per consecutive day (`YYYY-MM-DD`, oldest first).
    package init(series: [(day: String, calls: Int)]) {
        days = series.count
        guard series.count >= 2 else {
            slopePerDay = 0
            fittedLastDay = Double(series.first?.calls ?? 0)
            zeroDate = nil
            return
        }
        let n = Double(series.count)
        let xs = series.indices.map(Double.init)
        let ys = series.map { Double($0.calls) }
        let meanX = xs.reduce(0, +) / n
        let meanY = ys.reduce(0, +) / n
        var covariance = 0.0
        var variance = 0.0
        for (x, y) in zip(xs, ys) {
            covariance += (x - meanX) * (y - meanY)
            variance += (x - meanX) * (x - meanX)
        }
        slopePerDay = covariance / variance
        let intercept = meanY - slopePerDay * meanX
        fittedLastDay = intercept + slopePerDay * (n - 1)
        if slopePerDay < 0 {
            let zeroIndex = (-intercept / slopePerDay).rounded(.up)
            zeroDate = Days.adding(Int(zeroIndex), to: series[0].day)
        } else {
            zeroDate = nil
        }
    }
}

/// Calendar arithmetic on `YYYY-MM-DD` strings (UTC).
enum Days {
    static func number(_ day: String) -> Int? {
        let parts = day.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        return RFC3339.daysSinceEpoch(year: parts[0], month: parts[1], day: parts[2])
    }

    static func string(_ number: Int) -> String {
        String(RFC3339.format(epochMilliseconds: Int64(number) * 86_400_000).prefix(10))
    }

    static func adding(_ count: Int, to day: String) -> String? {
        number(day).map { string($0 + count) }
    }

    static func range(from first: String, to last: String) -> [String] {
        guard let start = number(first), let end = number(last), start <= end else { return [first] }
        return (start...end).map(string)
    }
}
