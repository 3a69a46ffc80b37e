/// The legacy answer: `{warnings, errors, sideEffects}` for success and warnings, `{warnings, errors}`
/// for errors, exactly as the legacy examples show.
public struct LegacyResponse: Sendable, Equatable {
    /// The `warnings` list; empty when there are none.
    public var warnings: [LegacyMessage]
    /// The `errors` list; empty for success and warning answers.
    public var errors: [LegacyMessage]
    /// `nil` for error answers, which have no `sideEffects` key.
    public var sideEffects: [SideEffect]?

    /// An answer; leave `sideEffects` `nil` for an error answer.
    public init(warnings: [LegacyMessage] = [], errors: [LegacyMessage] = [], sideEffects: [SideEffect]? = nil) {
        self.warnings = warnings
        self.errors = errors
        self.sideEffects = sideEffects
    }

    /// An error answer with one error.
    public static func error(code: Int, message: String) -> LegacyResponse {
        LegacyResponse(errors: [LegacyMessage(code: code, message: message)])
    }
}
