package import HTTPTypes

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#else
import Darwin
#endif

/// Which requests the admin listener answers: those addressed to it by a loopback name, its
/// configured host or an IP address (any port), so a DNS-rebound name cannot read `/metrics` or `/deprecation`,
/// and, for state-changing methods, only those from no origin (curl, scripts) or its own origin,
/// so a web page cannot `POST /reload`.
package struct AdminRequestPolicy: Sendable {
    /// Host names allowed in `Host`, lower-cased, IPv6 addresses without brackets.
    package let allowedHosts: Set<String>

    /// - Parameter adminHost: The admin listener's configured address, allowed besides loopback.
    package init(adminHost: String) {
        var hosts: Set<String> = ["localhost", "127.0.0.1", "::1"]
        let configured = Self.bareHost(adminHost.lowercased())
        // A wildcard bind address is not a name a client addresses the listener by.
        if !configured.isEmpty, configured != "0.0.0.0", configured != "::" { hosts.insert(configured) }
        allowedHosts = hosts
    }

    /// Why a request is refused (421 for the wrong `Host`, 403 cross-origin), or `nil` to serve it.
    /// - Parameter host: The `Host` header (HTTP/1) or `:authority`; a request without one (HTTP/1.0
    ///   tools) is served, browsers always send one.
    package func refusal(
        method: HTTPRequest.Method, host: String?, origin: String?, fetchSite: String?
    )
        -> HTTPResponse.Status?
    {
        if let host, !isAllowed(authority: host) { return .misdirectedRequest }
        guard Self.changesState(method) else { return nil }
        if let fetchSite, !["same-origin", "none"].contains(fetchSite.lowercased()) { return .forbidden }
        if let origin {
            // Same origin: http, and exactly the authority the request was sent to.
            guard let host, origin.lowercased() == "http://" + host.lowercased() else { return .forbidden }
        }
        return nil
    }

    /// Whether `authority` (`host` or `host:port`) names this listener.
    func isAllowed(authority: String) -> Bool {
        let text = authority.lowercased()
        let host: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return false }
            let rest = text[text.index(after: close)...]
            guard rest.isEmpty || (rest.hasPrefix(":") && Self.isPort(rest.dropFirst())) else { return false }
            host = text[text.index(after: text.startIndex)..<close]
        } else if let colon = text.lastIndex(of: ":") {
            guard Self.isPort(text[text.index(after: colon)...]) else { return false }
            host = text[..<colon]
        } else {
            host = text[...]
        }
        // An IPv6 address must be in brackets.
        if !text.hasPrefix("["), host.contains(":") { return false }
        return allowedHosts.contains(String(host)) || Self.isSpecificAddress(String(host))
    }

    /// Whether `host` is an IPv4 or IPv6 address other than the unspecified one. A request
    /// addressed by an IP address cannot come from a rebound DNS name, and it is how a kubelet's
    /// probes and Prometheus reach a pod (`Host: <pod IP>:<port>`).
    static func isSpecificAddress(_ host: String) -> Bool {
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return v4.s_addr != 0 }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { bytes in bytes.contains { $0 != 0 } }
        }
        return false
    }

    private static func isPort(_ text: Substring) -> Bool {
        !text.isEmpty && text.count <= 5 && text.allSatisfy { $0.isASCII && $0.isNumber }
    }

    private static func bareHost(_ host: String) -> String {
        host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    }

    private static func changesState(_ method: HTTPRequest.Method) -> Bool {
        ![.get, .head, .options].contains(method)
    }
}
