/// RFC 3339 timestamps in UTC with milliseconds, computed arithmetically (no formatter on the hot path).
package enum RFC3339 {
    /// `2026-11-24T01:02:03.456Z` for a number of milliseconds since the Unix epoch.
    package static func format(epochMilliseconds: Int64) -> String {
        let millis = Int(((epochMilliseconds % 1000) + 1000) % 1000)
        let totalSeconds = (epochMilliseconds - Int64(millis)) / 1000
        var days = Int(totalSeconds / 86_400)
        var secondsOfDay = Int(totalSeconds % 86_400)
        if secondsOfDay < 0 {
            secondsOfDay += 86_400
            days -= 1
        }
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T" + pad(secondsOfDay / 3600, 2) + ":"
            + pad(secondsOfDay % 3600 / 60, 2) + ":" + pad(secondsOfDay % 60, 2) + "." + pad(millis, 3) + "Z"
    }

    /// Milliseconds since the Unix epoch of an RFC 3339 date-time with its time part, such as
    /// `2027-03-01T10:00:00Z`, `2027-03-01T10:00:00.250Z` or `2027-03-01T11:00:00+01:00`; `nil` for
    /// anything else, a bare date included (a brownout window's edges are instants).
    package static func parse(_ text: String) -> Int64? {
        text.utf8.count > 10 ? milliseconds(text) : nil
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Year, month and day of a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`).
    package static func civilDate(daysSinceEpoch: Int) -> (year: Int, month: Int, day: Int) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Days since 1970-01-01 of a civil date (Howard Hinnant's `days_from_civil`).
    package static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// Milliseconds since the Unix epoch of an RFC 3339 date-time (`2026-11-24T01:02:03.456Z`, any
    /// number of fraction digits, `Z` or an offset such as `+01:00`) or of a full date (`2026-11-24`,
    /// its midnight UTC); `nil` for anything else.
    package static func milliseconds(_ text: some StringProtocol) -> Int64? {
        var text = String(text)
        return text.withUTF8 { milliseconds(UnsafeRawBufferPointer($0)) }
    }

    /// The same over the UTF-8 bytes of the text.
    package static func milliseconds(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        func digits(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= bytes.count else { return nil }
            var value = 0
            for index in start..<(start + count) {
                let digit = Int(bytes[index]) - 0x30
                guard (0...9).contains(digit) else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        func byte(_ index: Int, _ expected: Unicode.Scalar) -> Bool {
            index < bytes.count && bytes[index] == UInt8(ascii: expected)
        }
        guard let year = digits(0, 4), byte(4, "-"), let month = digits(5, 2), byte(7, "-"), let day = digits(8, 2),
            (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year)
        else { return nil }
        let days = Int64(daysSinceEpoch(year: year, month: month, day: day))
        if bytes.count == 10 { return days * 86_400_000 }
        guard byte(10, "T") || byte(10, "t"), let hour = digits(11, 2), byte(13, ":"), let minute = digits(14, 2),
            byte(16, ":"), let second = digits(17, 2), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var millis = 0
        if byte(index, ".") {
            index += 1
            var scale = 100
            let start = index
            while index < bytes.count, (0x30...0x39).contains(bytes[index]) {
                millis += (Int(bytes[index]) - 0x30) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        var offsetMinutes = 0
        if byte(index, "Z") || byte(index, "z") {
            index += 1
        } else if byte(index, "+") || byte(index, "-"), let hours = digits(index + 1, 2), byte(index + 3, ":"),
            let minutes = digits(index + 4, 2)
        {
            offsetMinutes = (hours * 60 + minutes) * (byte(index, "-") ? -1 : 1)
            index += 6
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second - offsetMinutes * 60)
        return seconds * 1000 + Int64(millis)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
