/// One entry of a legacy `warnings` or `errors` list: `{"status": false, "code": .., "message": ..}`.
public struct LegacyMessage: Sendable, Equatable {
    /// The entry's `status`; `false` unless given.
    public var status: Bool
    /// The legacy code, e.g. 8890.
    public var code: Int
    /// The human-readable message.
    public var message: String

    /// An entry with `status` false unless given.
    public init(status: Bool = false, code: Int, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }
}
