import Foundation

/// The configured upstream base URL, validated once: `http` or `https`, a host, an optional port and
/// an optional base path; no query, fragment or credentials.
package struct UpstreamEndpoint: Sendable, Equatable, CustomStringConvertible {
    /// `http` or `https`, lower case.
    package let scheme: String
    /// The host name or IP address.
    package let host: String
    /// The port; 80 or 443 when the URL gives none.
    package let port: Int
    /// Base path without trailing slash, possibly empty.
    package let basePath: String

    /// The base URL every upstream target is appended to.
    package var baseURL: String {
        let needsBrackets = host.contains(":")
        let hostPart = needsBrackets ? "[\(host)]" : host
        return "\(scheme)://\(hostPart):\(port)\(basePath)"
    }

    /// The base URL.
    package var description: String { baseURL }

    /// Parses and validates a base URL such as `https://eucrm.cc.capillarytech.com`.
    package init(_ string: String) throws(ConfigurationError) {
        guard let components = URLComponents(string: string), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https"
        else {
            throw ConfigurationError("upstream '\(string)' must be an http:// or https:// URL")
        }
        guard let host = components.host, !host.isEmpty else {
            throw ConfigurationError("upstream '\(string)' has no host")
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
    }

    /// The full URL for an origin-form target, or `nil` when the target is not a plain absolute path.
    package func url(for target: String) -> String? {
        guard target.first == "/", !target.hasPrefix("//") else { return nil }
        guard !target.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "#") }) else { return nil }
        return baseURL + target
    }
}
