import Foundation

/// A call recorded from traffic, to replay against the legacy endpoint and the shim.
package struct RecordedCall: Sendable {
    /// The HTTP method, as recorded.
    package var method: String
    /// Path without query, starting with `/`.
    package var path: String
    /// Raw query without `?`, possibly empty.
    package var query: String
    /// The headers to send, in order.
    package var headers: [HeaderField]
    /// The request body as text, possibly empty.
    package var body: String

    /// One header; a struct rather than a tuple so calls compare.
    package struct HeaderField: Sendable {
        /// The header name, as recorded.
        package var name: String
        /// The header value, as recorded.
        package var value: String

        /// A header to send with the call.
        package init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// A call to replay; `path` starts with `/` and `query` has no leading `?`.
    package init(method: String, path: String, query: String = "", headers: [HeaderField] = [], body: String = "") {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// Path and query, as sent.
    package var target: String { query.isEmpty ? path : "\(path)?\(query)" }

    /// A file's calls: a HAR document (`log.entries[].request`), or JSON Lines of
    /// `{"method", "path", "query", "headers", "body"}` (`headers` an object or a list of
    /// `{"name","value"}`). Blank lines and `#` comments in JSON Lines are skipped.
    /// - Throws: a message naming the line that is not a call.
    package static func parse(_ text: String) throws(RecordedCallError) -> [RecordedCall] {
        if let document = try? JSONValue.parse(Array(text.utf8)), let entries = document["log"]?["entries"]?.arrayValue {
            return try entries.enumerated().map { index, entry throws(RecordedCallError) in
                guard let request = entry["request"], let call = fromHAR(request) else {
                    throw RecordedCallError(description: "HAR entry \(index + 1) has no usable request")
                }
                return call
            }
        }
        var calls: [RecordedCall] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let object = try? JSONValue.parse(Array(trimmed.utf8)), let call = fromLine(object) else {
                throw RecordedCallError(description: "line \(index + 1) is not a recorded call")
            }
            calls.append(call)
        }
        return calls
    }

    private static func fromLine(_ object: JSONValue) -> RecordedCall? {
        guard let method = object["method"]?.stringValue, var path = object["path"]?.stringValue, path.hasPrefix("/") else {
            return nil
        }
        var query = object["query"]?.stringValue ?? ""
        if let mark = path.firstIndex(of: "?") {
            if query.isEmpty { query = String(path[path.index(after: mark)...]) }
            path = String(path[..<mark])
        }
        if query.hasPrefix("?") { query.removeFirst() }
        return RecordedCall(
            method: method, path: path, query: query, headers: headers(object["headers"]), body: object["body"]?.stringValue ?? ""
        )
    }

    private static func fromHAR(_ request: JSONValue) -> RecordedCall? {
        guard let method = request["method"]?.stringValue, let url = request["url"]?.stringValue else { return nil }
        // Keep only path and query: the replay targets are given on the command line.
        var rest = Substring(url)
        if let scheme = rest.range(of: "://") {
            rest = rest[scheme.upperBound...]
            rest = rest.firstIndex(of: "/").map { rest[$0...] } ?? "/"
        }
        let mark = rest.firstIndex(of: "?")
        let path = String(mark.map { rest[..<$0] } ?? rest)
        let query = mark.map { String(rest[rest.index(after: $0)...]) } ?? ""
        return RecordedCall(
            method: method, path: path.isEmpty ? "/" : path, query: query, headers: headers(request["headers"]),
            body: request["postData"]?["text"]?.stringValue ?? ""
        )
    }

    private static func headers(_ value: JSONValue?) -> [HeaderField] {
        switch value {
        case .object(let members)?:
            return members.sorted { $0.key < $1.key }.compactMap { name, value in
                value.stringValue.map { HeaderField(name: name, value: $0) }
            }
        case .array(let elements)?:
            return elements.compactMap { element in
                guard let name = element["name"]?.stringValue, let value = element["value"]?.stringValue else { return nil }
                // HTTP/2 pseudo-headers in HAR files are not headers to send.
                return name.hasPrefix(":") ? nil : HeaderField(name: name, value: value)
            }
        default:
            return []
        }
    }
}

/// A recording that could not be read.
package struct RecordedCallError: Error, Sendable, CustomStringConvertible {
    /// What is wrong and where (a line or HAR entry number).
    package var description: String
}
