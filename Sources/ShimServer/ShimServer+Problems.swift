extension ShimServer {
    /// Something that went wrong while the shim ran, which its exit status should say.
    package enum Problem: Sendable, CustomStringConvertible {
        /// Usage records were dropped (buffer full) or not written by the shutdown deadline.
        case usageRecordsLost(Int)
        /// SIGTERM's drain outlasted the shutdown timeout: calls still upstream were cut (each
        /// answered "may or may not have been issued" and recorded).
        case drainCutShort

        /// A short text for the log, without any identifier value.
        package var description: String {
            switch self {
            case .usageRecordsLost(let count): "\(count) usage records lost"
            case .drainCutShort: "drain cut short at the shutdown timeout"
            }
        }
    }

    /// What went wrong so far; read once ``run()`` has returned, for the process's exit status.
    package var problems: [Problem] {
        var problems: [Problem] = []
        if let lost = usageLog?.lostRecords, lost > 0 { problems.append(.usageRecordsLost(lost)) }
        if drainOutcome.wasCutShort { problems.append(.drainCutShort) }
        return problems
    }
}
