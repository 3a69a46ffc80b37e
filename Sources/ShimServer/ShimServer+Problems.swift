extension ShimServer {
    /// Something that went wrong while the shim ran, which its exit status should say.
    public enum Problem: Sendable, Equatable, CustomStringConvertible {
        /// Usage records were dropped (buffer full) or not written by the shutdown deadline.
        case usageRecordsLost(Int)

        /// A short text for the log, without any identifier value.
        public var description: String {
            switch self {
            case .usageRecordsLost(let count): "\(count) usage records lost"
            }
        }
    }

    /// What went wrong so far; read once ``run()`` has returned, for the process's exit status.
    public var problems: [Problem] {
        var problems: [Problem] = []
        if let lost = usageLog?.lostRecords, lost > 0 { problems.append(.usageRecordsLost(lost)) }
        return problems
    }
}
