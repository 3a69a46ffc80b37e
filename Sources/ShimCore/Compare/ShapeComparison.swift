import Foundation

/// Compares the legacy endpoint's answer with the shim's: identical, equivalent once what
/// legitimately differs is normalised (issualId/earnedId values, key order, volatile headers), or
/// different, with a readable diff.
package enum ShapeComparison {
    /// How close the shim's answer is to the legacy endpoint's: `identical` (same status, media
    /// type and body bytes), `equivalent` once normalised, or `different`.
    package enum Verdict: String, Sendable {
        case identical, equivalent, different
    }

    /// An answer as the comparison sees it.
    package struct Answer: Sendable {
        /// The HTTP status code.
        package var status: Int
        /// The `Content-Type` header, or `nil` when absent; only its media type is compared.
        package var contentType: String?
        /// The response body.
        package var body: [UInt8]

        /// An answer to compare.
        package init(status: Int, contentType: String?, body: [UInt8]) {
            self.status = status
            self.contentType = contentType
            self.body = body
        }
    }

    /// Keys whose values are fresh per issue and never compared.
    package static let volatileKeys: Set<String> = ["issualId", "earnedId"]

    /// The verdict and, when different, the lines of the diff (`- legacy`, `+ shim`).
    package static func compare(legacy: Answer, shim: Answer) -> (verdict: Verdict, diff: [String]) {
        var diff: [String] = []
        if legacy.status != shim.status { diff.append("status: - \(legacy.status) + \(shim.status)") }
        let legacyType = legacy.contentType.map(mediaType)
        let shimType = shim.contentType.map(mediaType)
        if legacyType != shimType { diff.append("content-type: - \(legacyType ?? "none") + \(shimType ?? "none")") }
        if diff.isEmpty && legacy.body == shim.body { return (.identical, []) }
        let legacyJSON = try? JSONValue.parse(legacy.body)
        let shimJSON = try? JSONValue.parse(shim.body)
        if let legacyJSON, let shimJSON {
            differences(normalised(legacyJSON), normalised(shimJSON), path: "$", into: &diff)
        } else if legacy.body != shim.body {
            diff.append("body: - \(text(legacy.body)) + \(text(shim.body))")
        }
        return diff.isEmpty ? (.equivalent, []) : (.different, diff)
    }

    /// Replaces the values of volatile keys with a placeholder (present stays present).
    package static func normalised(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            var result: [String: JSONValue] = [:]
            for (key, member) in members {
                result[key] = volatileKeys.contains(key) ? .string("<id>") : normalised(member)
            }
            return .object(result)
        case .array(let elements):
            return .array(elements.map(normalised))
        default:
            return value
        }
    }

    private static func differences(_ legacy: JSONValue, _ shim: JSONValue, path: String, into diff: inout [String]) {
        switch (legacy, shim) {
        case (.object(let left), .object(let right)):
            for key in Set(left.keys).union(right.keys).sorted() {
                let child = "\(path).\(key)"
                switch (left[key], right[key]) {
                case (let l?, let r?): differences(l, r, path: child, into: &diff)
                case (let l?, nil): diff.append("\(child): - \(render(l)) + (absent)")
                case (nil, let r?): diff.append("\(child): - (absent) + \(render(r))")
                case (nil, nil): break
                }
            }
        case (.array(let left), .array(let right)):
            for index in 0..<max(left.count, right.count) {
                let child = "\(path)[\(index)]"
                if index < left.count, index < right.count {
                    differences(left[index], right[index], path: child, into: &diff)
                } else if index < left.count {
                    diff.append("\(child): - \(render(left[index])) + (absent)")
                } else {
                    diff.append("\(child): - (absent) + \(render(right[index]))")
                }
            }
        default:
            if legacy != shim { diff.append("\(path): - \(render(legacy)) + \(render(shim))") }
        }
    }

    private static func render(_ value: JSONValue) -> String {
        var writer = JSONWriter()
        writer.value(value)
        return text(writer.bytes)
    }

    private static func text(_ bytes: [UInt8]) -> String {
        let string = String(decoding: bytes.prefix(300), as: UTF8.self)
        return bytes.count > 300 ? string + "…" : string
    }

    private static func mediaType(_ contentType: String) -> String {
        String(contentType.split(separator: ";").first ?? "").trimmingCharacters(in: .whitespaces).lowercased()
    }
}
