package import HTTPTypes

/// Header rules of a proxy (RFC 9110 §7.6.1): hop-by-hop headers never cross the shim, in either
/// direction, and the upstream's `Host` comes from configuration, never from the caller.
package enum ProxyHeaders {
    /// Hop-by-hop headers, plus `Host` and `Content-Length` which the client sets for the upstream,
    /// and `Expect`, which the shim answers itself (`100 Continue`) for the hop it owns.
    static let alwaysRemoved: Set<String> = hopByHop.union(["host", "content-length", "expect"])

    /// The hop-by-hop headers of RFC 9110 §7.6.1 (and `Proxy-Connection`): meaningful for one
    /// connection only, never forwarded or replayed.
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade", "proxy-connection",
        "proxy-authenticate", "proxy-authorization",
    ]

    /// The headers to send upstream for a passthrough request: all but hop-by-hop ones, with
    /// `X-Forwarded-For` and `X-Forwarded-Proto` appended.
    package static func forwarded(_ headers: HTTPFields, remoteAddress: String?) -> HTTPFields {
        var result = endToEnd(headers)
        if let remoteAddress {
            let prior = headers[.xForwardedFor].map { "\($0), " } ?? ""
            result[.xForwardedFor] = prior + remoteAddress
        }
        if headers[.xForwardedProto] == nil {
            result[.xForwardedProto] = "http"
        }
        return result
    }

    /// The headers to relay to the caller from an upstream response: all but hop-by-hop ones.
    /// `Content-Length` is kept, since the body is relayed unchanged.
    package static func relayed(_ headers: HTTPFields) -> HTTPFields {
        var result = endToEnd(headers)
        if let length = headers[.contentLength] {
            result[.contentLength] = length
        }
        return result
    }

    /// Removes hop-by-hop headers, including every header named in `Connection`.
    static func endToEnd(_ headers: HTTPFields) -> HTTPFields {
        var named: Set<String> = []
        for value in headers[values: .connection] {
            for token in value.split(separator: ",") {
                named.insert(token.trimmingSpaces().lowercased())
            }
        }
        var result = HTTPFields()
        result.reserveCapacity(headers.count)
        for field in headers {
            let name = field.name.canonicalName
            if alwaysRemoved.contains(name) || named.contains(name) || name.hasPrefix("proxy-") { continue }
            result.append(field)
        }
        return result
    }

    /// Who the caller is: `Authorization` and the `X-CAP-API-*` credential headers, without per-call
    /// metadata such as `X-CAP-REQUEST-ID` (the coalescer's batch key).
    static func identity(_ headers: HTTPFields) -> HTTPFields {
        headers.filter { $0.name == .authorization || $0.name.canonicalName.hasPrefix("x-cap-api-") }
    }

    /// The caller's credentials for a translated call: `Authorization` and every `X-CAP-*` header,
    /// verbatim, and the W3C trace context (`traceparent`, `tracestate`, `baggage`), so the vendor's
    /// traces of the lookup and the bulk call join the caller's, as they do on passthrough.
    package static func credentials(_ headers: HTTPFields) -> HTTPFields {
        var result = HTTPFields()
        for field in headers
        where field.name == .authorization || field.name.canonicalName.hasPrefix("x-cap-")
            || traceContext.contains(field.name)
        {
            result.append(field)
        }
        return result
    }

    /// The W3C Trace Context and Baggage headers.
    package static let traceContext: [HTTPField.Name] = [
        HTTPField.Name("traceparent")!, HTTPField.Name("tracestate")!, HTTPField.Name("baggage")!,
    ]
}

extension HTTPField.Name {
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let xForwardedProto = HTTPField.Name("X-Forwarded-Proto")!
}

extension Substring {
    fileprivate func trimmingSpaces() -> Substring {
        var result = self
        while result.first == " " || result.first == "\t" { result.removeFirst() }
        while result.last == " " || result.last == "\t" { result.removeLast() }
        return result
    }
}
