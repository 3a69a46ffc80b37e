extension MappingSet {
    /// A readable account of what the tables say, for `promo-shim mappings check`.
    package var summary: String {
        var lines = ["mappings version \(version)"]
        lines.append("legacy POST /v2/promotion/issue -> POST \(route.path) bulkAction \(route.bulkAction)")
        lines.append("  accountId in the bulk customer entry: \(route.forwardAccountId ? "yes" : "no")")
        lines.append("  externalId resolved with GET \(route.lookupPath)")
        lines.append("identifiers:")
        for name in identifiers.names {
            switch identifiers.resolve(name)?.mapping {
            case .bulk(let bulk)?: lines.append("  \(name) -> \(bulk)")
            case .lookup?: lines.append("  \(name) -> customer lookup, then id")
            case nil: break
            }
        }
        lines.append("sources (\(sources.names.count)): \(sources.names.joined(separator: ", "))")
        lines.append(
            "answers: success HTTP \(codes.successStatus), warnings HTTP \(codes.warningStatus), unlisted errors HTTP \(codes.defaultErrorStatus)"
        )
        lines.append("vendor codes (\(codes.entity.count)):")
        for (code, mapping) in codes.entity.sorted(by: { $0.key < $1.key }) {
            let message = mapping.message.map { ", message \"\($0)\"" } ?? ""
            lines.append("  \(code) -> legacy \(mapping.legacyCode), HTTP \(mapping.status)\(message)")
        }
        lines.append("shim's own answers (\(codes.local.count)):")
        for failure in LegacyFailure.allCases {
            let template = codes.template(for: failure)
            lines.append("  \(failure.rawValue): \(template.code), HTTP \(template.status)")
        }
        lines.append("routing: default \(routing.defaultTarget), \(routing.rules.count) rule(s)")
        for rule in routing.rules {
            let share = rule.translatePercent.map { " for \($0)% of customers (the rest: next rules)" } ?? ""
            lines.append("  \(rule.name): \(rule.matchDescription) -> \(rule.target)\(share)")
        }
        lines.append(
            "deprecation: \(deprecation.brownouts.count) brownout window(s), after the sunset date: \(deprecation.afterSunset.rawValue)\(Self.exemptions(deprecation.sunsetExempt))"
        )
        for window in deprecation.brownouts {
            let clients = window.clients.map { " for " + $0.sorted().joined(separator: ", ") } ?? " for every client"
            lines.append(
                "  \(RFC3339.format(epochMilliseconds: window.start)) to \(RFC3339.format(epochMilliseconds: window.end)) \(window.mode.rawValue)\(clients)\(Self.exemptions(window.exempt))"
            )
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func exemptions(_ clients: Set<String>) -> String {
        clients.isEmpty ? "" : " (exempt: " + clients.sorted().joined(separator: ", ") + ")"
    }
}
