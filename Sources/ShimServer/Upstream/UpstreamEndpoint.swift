import Foundation

/// The configured upstream base URL, validated once: `http` or `https`, a host, an optional port and
/// an optional base path; no query, fragment or credentials.
package struct UpstreamEndpoint: Sendable, CustomStringConvertible {
    /// `http` or `https`, lower case.
    package let scheme: String
    /// The host name or IP address.
    package let host: String
    /// The port; 80 or 443 when the URL gives none.
    package let port: Int
    /// Base path without trailing slash, possibly empty.
    package let basePath: String

    /// The base URL every upstream target is appended to, built once (it was built per call).
    package let baseURL: String

    /// The base URL.
    package var description: String { baseURL }

    /// Parses and validates a base URL such as `https://eucrm.cc.capillarytech.com`.
    package init(_ string: String) throws(ConfigurationError) {
        guard let components = URLComponents(string: string), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https"
        else {
            throw ConfigurationError("upstream '\(string)' must be an http:// or https:// URL")
        }
        guard var host = components.host, !host.isEmpty else {
            throw ConfigurationError("upstream '\(string)' has no host")
        }
        // Foundation keeps an IPv6 literal's brackets; the connect and the Host header add their own.
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        // The host is percent-decoded: one that decodes to a space or a control character would
        // break the Host header the shim writes (the upstream client no longer re-validates it).
        guard !host.isEmpty, !host.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else {
            throw ConfigurationError("upstream '\(string)' has a host with a space or a control character")
        }
        guard components.user == nil, components.password == nil else {
            throw ConfigurationError("upstream URL must not carry credentials; the shim forwards each caller's own")
        }
        guard components.query == nil, components.fragment == nil else {
            throw ConfigurationError("upstream '\(string)' must not have a query or fragment")
        }
        var path = components.percentEncodedPath
        while path.hasSuffix("/") { path.removeLast() }
        self.scheme = scheme
        self.host = host
        self.port = components.port ?? (scheme == "https" ? 443 : 80)
        self.basePath = path
        let hostPart = host.contains(":") ? "[\(host)]" : host
        self.baseURL = "\(scheme)://\(hostPart):\(self.port)\(path)"
    }

    /// The full URL for an origin-form target, or `nil` when the target is not a plain absolute path.
    package func url(for target: String) -> String? {
        Self.isOriginForm(target) ? baseURL + target : nil
    }

    /// Whether `target` is a plain absolute path (with an optional query) that ``url(for:)`` accepts:
    /// a single leading slash, no space, control character or fragment.
    package static func isOriginForm(_ target: String) -> Bool {
        guard target.first == "/", !target.hasPrefix("//") else { return false }
        return !target.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "#") })
    }
}
