import Yams

extension RoutingTable {
    static let file = "routing.yaml"

    init(yaml text: String) throws(MappingError) {
        let root = try MappingNode.parse(text, file: Self.file)
        _ = try root.members(allowed: ["default", "bulkRoutes", "rules"])
        var bulkRoutes: [String: (path: String, actions: [String])] = [:]
        if let routes = try root.optional("bulkRoutes") {
            for (name, value) in try routes.members() {
                guard !["translate", "legacy"].contains(name) else { throw value.error("'\(name)' is a reserved route name") }
                _ = try value.members(allowed: ["path", "actions"])
                let actions = try value.required("actions").elements().map { node throws(MappingError) in try node.string() }
                guard !actions.isEmpty else { throw value.error("a bulk route needs at least one action") }
                bulkRoutes[name] = (try BulkRoute.path(value.required("path")), actions)
            }
        }
        func target(_ node: MappingNode, action: MappingNode?) throws(MappingError) -> RouteTarget {
            let name = try node.string()
            switch name {
            case "translate", "legacy":
                if let action { throw action.error("bulkAction applies to bulk routes only, not '\(name)'") }
                return name == "translate" ? .translate : .legacy
            default:
                guard let route = bulkRoutes[name] else {
                    let known = (["translate", "legacy"] + bulkRoutes.keys.sorted()).joined(separator: ", ")
                    throw node.error("unknown route '\(name)' (known: \(known))")
                }
                let chosen = try action?.string() ?? route.actions[0]
                guard route.actions.contains(chosen) else {
                    throw (action ?? node).error("route '\(name)' takes bulkAction \(route.actions.joined(separator: " or "))")
                }
                return .bulk(name: name, path: route.path, bulkAction: chosen)
            }
        }
        let defaultTarget =
            try root.optional("default").map { node throws(MappingError) in try target(node, action: nil) }
            ?? .translate
        var rules: [RoutingRule] = []
        for element in try root.optional("rules")?.elements() ?? [] {
            _ = try element.members(allowed: ["name", "match", "route", "bulkAction", "translatePercent", "coalesce"])
            let name = try element.required("name").string()
            guard !rules.contains(where: { $0.name == name }) else { throw element.error("rule name '\(name)' is used twice") }
            let match = try element.required("match")
            _ = try match.members(allowed: ["client", "programId", "promotionId", "source"])
            var rule = RoutingRule(
                name: name,
                client: try match.optional("client")?.string(),
                programId: try match.optional("programId").map { node throws(MappingError) in Int64(try node.int()) },
                promotionId: try match.optional("promotionId").map { node throws(MappingError) in Int64(try node.int()) },
                source: try match.optional("source")?.string().uppercased(),
                target: try target(element.required("route"), action: element.optional("bulkAction")),
                translatePercent: nil,
                coalesce: try element.optional("coalesce")?.bool(),
                line: element.node.mark?.line
            )
            if let percentNode = try element.optional("translatePercent") {
                let percent = try percentNode.int()
                guard (0...100).contains(percent) else { throw percentNode.error("translatePercent must be within 0...100") }
                guard rule.target != .legacy else {
                    throw percentNode.error("translatePercent needs a translating route, not legacy")
                }
                rule.translatePercent = percent
            }
            for earlier in rules where earlier.translatePercent == nil && rule.isCovered(by: earlier) {
                let what = earlier.isCovered(by: rule) ? "duplicates" : "is shadowed by"
                throw element.error(
                    "rule '\(name)' \(what) rule '\(earlier.name)' (line \(earlier.line ?? 0)): it can never match")
            }
            rules.append(rule)
        }
        self.init(defaultTarget: defaultTarget, rules: rules)
    }
}
