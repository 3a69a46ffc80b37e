import ShimServer

/// The exit status of `promo-shim serve` for what went wrong while it ran (0 when nothing did).
/// These codes are a contract with supervisors and scripts: add, never renumber.
struct ExitStatus {
    /// Usage records were lost: dropped while the usage log could not keep up, or not written by
    /// the shutdown deadline.
    static let usageRecordsLost = ExitStatus(code: 3)
    /// SIGTERM's drain outlasted `--shutdown-timeout-seconds`: calls still upstream were cut, each
    /// answered "may or may not have been issued" and recorded.
    static let drainCutShort = ExitStatus(code: 4)

    /// The process's exit code.
    let code: Int32

    /// The status for `problems`, or `nil` when there were none.
    init?(_ problems: [ShimServer.Problem]) {
        guard let first = problems.first else { return nil }
        switch first {
        case .usageRecordsLost: self = .usageRecordsLost
        case .drainCutShort: self = .drainCutShort
        }
    }

    private init(code: Int32) {
        self.code = code
    }
}
