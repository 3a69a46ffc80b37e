package import Foundation
package import HTTPTypes

/// What every legacy response says about the endpoint's retirement: `Deprecation` (RFC 9745),
/// `Sunset` (RFC 8594) and `Link` relations to the successor and the policy page. Header values are
/// computed once at start.
package struct DeprecationPolicy: Sendable {
    /// When the endpoint was (or will be) deprecated.
    package let deprecationDate: Date
    /// When the endpoint stops answering, if announced.
    package let sunsetDate: Date?
    /// Documentation of the bulk successor.
    package let successorURL: String
    /// A page about the deprecation, if any.
    package let policyURL: String?
    /// The sunset date in milliseconds since the Unix epoch, as `deprecation.yaml` reads it.
    package var sunsetMilliseconds: Int64? {
        sunsetDate.map { Int64(($0.timeIntervalSince1970 * 1000).rounded(.down)) }
    }
    /// The response headers that carry the policy.
    package let headers: HTTPFields

    /// The repository's defaults: deprecated since 2026-01-01, successor = the bulk API's reference.
    package static let defaultDeprecationDate = "2026-01-01T00:00:00Z"
    /// The bulk API's reference, the default successor link.
    package static let defaultSuccessorURL = "https://docs.capillarytech.com/reference/bulk-issue-promotion-to-customers"

    /// The repository's defaults.
    package static let standard: DeprecationPolicy = {
        do {
            return try DeprecationPolicy(
                deprecationDate: defaultDeprecationDate, sunsetDate: nil, successorURL: defaultSuccessorURL, policyURL: nil
            )
        } catch {
            fatalError("the built-in deprecation defaults are invalid: \(error)")
        }
    }()

    /// Validates the policy: RFC 3339 dates, absolute http(s) URLs, and no Sunset before the Deprecation date.
    package init(
        deprecationDate: String, sunsetDate: String?, successorURL: String, policyURL: String?
    )
        throws(ConfigurationError)
    {
        self.deprecationDate = try Self.date(deprecationDate, name: "deprecation date")
        self.sunsetDate = try sunsetDate.map { text throws(ConfigurationError) in try Self.date(text, name: "sunset date") }
        if let sunset = self.sunsetDate, sunset < self.deprecationDate {
            throw ConfigurationError(
                "the sunset date \(sunsetDate!) is earlier than the deprecation date \(deprecationDate) (RFC 9745 §3)")
        }
        self.successorURL = try Self.url(successorURL, name: "successor URL")
        self.policyURL = try policyURL.map { text throws(ConfigurationError) in try Self.url(text, name: "deprecation policy URL")
        }

        var headers = HTTPFields()
        headers[Self.deprecation] = "@\(Int64(self.deprecationDate.timeIntervalSince1970.rounded(.down)))"
        if let sunset = self.sunsetDate {
            headers[Self.sunset] = Self.httpDate(sunset)
        }
        var links = ["<\(self.successorURL)>; rel=\"successor-version\""]
        if let policy = self.policyURL {
            links.append("<\(policy)>; rel=\"deprecation\"")
        }
        headers[Self.link] = links.joined(separator: ", ")
        self.headers = headers
    }

    static let deprecation = HTTPField.Name("Deprecation")!
    static let sunset = HTTPField.Name("Sunset")!
    static let link = HTTPField.Name("Link")!

    private static func date(_ text: String, name: String) throws(ConfigurationError) -> Date {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withFullDate]
        if let date = formatter.date(from: text) { return date }
        throw ConfigurationError("\(name) '\(text)' is not an RFC 3339 date such as 2026-01-01 or 2026-01-01T00:00:00Z")
    }

    private static func url(_ text: String, name: String) throws(ConfigurationError) -> String {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
            url.host != nil, !text.contains(where: { $0 == ">" || $0 == "<" || $0 == "\"" || $0.isWhitespace })
        else {
            throw ConfigurationError("\(name) '\(text)' must be an absolute http(s) URL")
        }
        return text
    }

    /// IMF-fixdate, e.g. `Sun, 30 Jun 2030 23:59:59 GMT`.
    static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }
}
