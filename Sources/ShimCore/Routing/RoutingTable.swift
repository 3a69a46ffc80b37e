/// Where a routing rule sends a legacy call.
package enum RouteTarget: Sendable, Equatable, CustomStringConvertible {
    /// The bulk route of `route.yaml`.
    case translate
    /// The legacy endpoint on the upstream, unchanged: the rollback switch.
    case legacy
    /// A named bulk endpoint of `routing.yaml` with a bulk action.
    case bulk(name: String, path: String, bulkAction: String)

    /// `translate`, `legacy`, or the bulk endpoint's name and action.
    package var description: String {
        switch self {
        case .translate: return "translate"
        case .legacy: return "legacy"
        case .bulk(let name, _, let action): return "\(name) \(action)"
        }
    }
}

/// One rule: calls matching every given field go to `target`. With `translatePercent`, only that
/// stable share of customers does; the others go on to the next rules (and the default).
package struct RoutingRule: Sendable, Equatable {
    /// The rule's name, unique in `routing.yaml`; the ``RouteDecision`` it makes carries it.
    package var name: String
    /// Matches only this client (as named in the usage log); `nil`: any client.
    package var client: String?
    /// Matches only this programId; `nil`: any.
    package var programId: Int64?
    /// Matches only this promotionId; `nil`: any.
    package var promotionId: Int64?
    /// Matches only this source (upper case); `nil`: any.
    package var source: String?
    /// Where matching calls go.
    package var target: RouteTarget
    /// The share of customers (0...100) the rule takes, by stable bucket; `nil`: all of them.
    package var translatePercent: Int?
    /// Turns coalescing on or off for the calls this rule routes (`nil`: the configured default).
    package var coalesce: Bool?
    /// Line in `routing.yaml`, for messages.
    package var line: Int?

    func matches(client: String, issue: ValidatedIssue) -> Bool {
        (self.client == nil || self.client == client) && (programId == nil || programId == issue.programId)
            && (promotionId == nil || promotionId == issue.promotionId) && (source == nil || source == issue.source)
    }

    /// Whether every call this rule's match accepts is also accepted by `other`'s match.
    func isCovered(by other: RoutingRule) -> Bool {
        (other.client == nil || other.client == client) && (other.programId == nil || other.programId == programId)
            && (other.promotionId == nil || other.promotionId == promotionId) && (other.source == nil || other.source == source)
    }

    var matchDescription: String {
        let parts = [
            client.map { "client=\($0)" }, programId.map { "programId=\($0)" }, promotionId.map { "promotionId=\($0)" },
            source.map { "source=\($0)" },
        ].compactMap { $0 }
        return parts.isEmpty ? "every call" : parts.joined(separator: " ")
    }
}

/// The decision for one call.
package struct RouteDecision: Sendable, Equatable {
    /// Where the call goes.
    package var target: RouteTarget
    /// The rule that decided, or `nil` for the default.
    package var rule: String?
    /// The rule's coalescing choice, if it makes one.
    package var coalesce: Bool?

    /// A decision by the named rule, or by the default when `rule` is `nil`.
    package init(target: RouteTarget, rule: String?, coalesce: Bool? = nil) {
        self.target = target
        self.rule = rule
        self.coalesce = coalesce
    }

    /// The route's name for the usage log: `translate`, `legacy`, or the bulk endpoint's name.
    package var label: String {
        switch target {
        case .translate: return "translate"
        case .legacy: return "legacy"
        case .bulk(let name, _, _): return name
        }
    }
}

/// The routing table (`routing.yaml`): the first matching rule decides, else the default.
package struct RoutingTable: Sendable, Equatable {
    /// Where calls no rule takes go.
    package var defaultTarget: RouteTarget
    /// The rules, in the order they are tried.
    package var rules: [RoutingRule]

    /// A table as given; the default sends every call to the bulk route of `route.yaml`.
    package init(defaultTarget: RouteTarget = .translate, rules: [RoutingRule] = []) {
        self.defaultTarget = defaultTarget
        self.rules = rules
    }

    /// Decides the route of a validated call from `client`.
    package func decide(client: String, issue: ValidatedIssue) -> RouteDecision {
        for rule in rules where rule.matches(client: client, issue: issue) {
            if let percent = rule.translatePercent, Self.bucket(of: issue) >= percent {
                continue
            }
            return RouteDecision(target: rule.target, rule: rule.name, coalesce: rule.coalesce)
        }
        return RouteDecision(target: defaultTarget, rule: nil)
    }

    /// A stable bucket 0..<100 of the customer (FNV-1a of identifierName and identifierValue), so a
    /// customer always takes the same path under a percentage rule.
    package static func bucket(of issue: ValidatedIssue) -> Int {
        Int(FNV1a.hash((issue.identifierName.lowercased() + ":" + issue.identifierValue).utf8) % 100)
    }
}
