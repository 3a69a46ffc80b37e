/// One entry of a legacy `warnings` or `errors` list: `{"status": false, "code": .., "message": ..}`.
package struct LegacyMessage: Sendable, Equatable {
    /// The entry's `status`; `false` unless given.
    package var status: Bool
    /// The legacy code, e.g. 8890.
    package var code: Int
    /// The human-readable message.
    package var message: String

    /// An entry with `status` false unless given.
    package init(status: Bool = false, code: Int, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }
}
