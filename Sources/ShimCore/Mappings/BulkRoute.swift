/// Where and how a legacy issue call is sent upstream (`route.yaml`).
package struct BulkRoute: Sendable, Equatable {
    /// Path of the bulk endpoint, e.g. `/v2/promotion/bulk/directEarn`.
    package var path: String
    /// The bulk action, e.g. `ENROL`.
    package var bulkAction: String
    /// Whether a legacy `accountId` is also sent in the bulk customer entry.
    package var forwardAccountId: Bool
    /// Path of the customer lookup that resolves `externalId` to a customer id.
    package var lookupPath: String
    /// The constant `type` of a legacy `sideEffects` entry.
    package var sideEffectType: String

    /// A route as given; `route.yaml` is read with the same fields.
    package init(path: String, bulkAction: String, forwardAccountId: Bool, lookupPath: String, sideEffectType: String) {
        self.path = path
        self.bulkAction = bulkAction
        self.forwardAccountId = forwardAccountId
        self.lookupPath = lookupPath
        self.sideEffectType = sideEffectType
    }
}

extension BulkRoute {
    static let file = "route.yaml"

    init(yaml text: String) throws(MappingError) {
        let root = try MappingNode.parse(text, file: Self.file)
        _ = try root.members(allowed: ["bulk", "lookup", "legacy"])
        let bulk = try root.required("bulk")
        _ = try bulk.members(allowed: ["path", "bulkAction", "forwardAccountId"])
        let lookup = try root.required("lookup")
        _ = try lookup.members(allowed: ["path"])
        let legacy = try root.required("legacy")
        _ = try legacy.members(allowed: ["sideEffectType"])
        self.init(
            path: try Self.path(bulk.required("path")),
            bulkAction: try bulk.required("bulkAction").string(),
            forwardAccountId: try bulk.optional("forwardAccountId")?.bool() ?? false,
            lookupPath: try Self.path(lookup.required("path")),
            sideEffectType: try legacy.required("sideEffectType").string()
        )
    }

    /// An upstream path: absolute, without query, scheme or host, so a mapping can never point elsewhere.
    static func path(_ node: MappingNode) throws(MappingError) -> String {
        let value = try node.string()
        guard value.hasPrefix("/"), !value.hasPrefix("//"),
            !value.contains(where: { $0 == "?" || $0 == "#" || $0 == " " || $0.isNewline })
        else {
            throw node.error("expected an absolute path such as /v2/promotion/bulk/directEarn")
        }
        return value
    }
}
