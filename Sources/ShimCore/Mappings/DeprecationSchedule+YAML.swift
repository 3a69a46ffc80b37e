extension DeprecationSchedule {
    /// The table's file; optional in a mappings directory.
    static let file = "deprecation.yaml"

    /// Reads `deprecation.yaml`: `brownouts` (a list of windows with `start`, `end`, `mode`, and
    /// optional `clients` and `exempt`) and `afterSunset` (`action`, optional `exempt`); both keys
    /// are optional.
    /// - Throws: ``MappingError`` with the line and key path of the problem.
    init(yaml text: String) throws(MappingError) {
        let root = try MappingNode.parse(text, file: Self.file)
        _ = try root.members(allowed: ["brownouts", "afterSunset"])
        var windows: [Brownout] = []
        for element in try root.optional("brownouts")?.elements() ?? [] {
            _ = try element.members(allowed: ["start", "end", "mode", "clients", "exempt"])
            let startNode = try element.required("start")
            let endNode = try element.required("end")
            let modeNode = try element.required("mode")
            guard let mode = Mode(rawValue: try modeNode.string()) else {
                throw modeNode.error("expected enforce or dryRun")
            }
            let clientsNode = try element.optional("clients")
            let clients = try clientsNode.map { node throws(MappingError) in try Self.names(node) }
            if let clients, clients.isEmpty {
                throw clientsNode!.error("an empty list refuses nobody; leave 'clients' out to cover every client")
            }
            let exempt = try element.optional("exempt").map { node throws(MappingError) in try Self.names(node) } ?? []
            if let clients, let both = clients.intersection(exempt).sorted().first {
                throw element.error("client '\(both)' is both covered and exempt")
            }
            windows.append(
                Brownout(
                    start: try Self.time(startNode), end: try Self.time(endNode), mode: mode, clients: clients, exempt: exempt,
                    line: element.line
                )
            )
        }
        var action = SunsetAction.serve
        var sunsetExempt: Set<String> = []
        if let afterSunset = try root.optional("afterSunset") {
            _ = try afterSunset.members(allowed: ["action", "exempt"])
            if let actionNode = try afterSunset.optional("action") {
                guard let value = SunsetAction(rawValue: try actionNode.string()) else {
                    throw actionNode.error("expected reject or serve")
                }
                action = value
            }
            sunsetExempt = try afterSunset.optional("exempt").map { node throws(MappingError) in try Self.names(node) } ?? []
        }
        try self.init(brownouts: windows, afterSunset: action, sunsetExempt: sunsetExempt)
    }

    private static func time(_ node: MappingNode) throws(MappingError) -> Int64 {
        let text = try node.string()
        guard let time = RFC3339.parse(text) else {
            throw node.error("'\(text)' is not an RFC 3339 date-time such as 2027-03-01T10:00:00Z")
        }
        return time
    }

    private static func names(_ node: MappingNode) throws(MappingError) -> Set<String> {
        var names: Set<String> = []
        for element in try node.elements() {
            let name = try element.string()
            guard names.insert(name).inserted else { throw element.error("client '\(name)' is listed twice") }
        }
        return names
    }
}
