/// The legacy answer: `{warnings, errors, sideEffects}` for success and warnings, `{warnings, errors}`
/// for errors, exactly as the legacy examples show.
package struct LegacyResponse: Sendable, Equatable {
    /// The `warnings` list; empty when there are none.
    package var warnings: [LegacyMessage]
    /// The `errors` list; empty for success and warning answers.
    package var errors: [LegacyMessage]
    /// `nil` for error answers, which have no `sideEffects` key.
    package var sideEffects: [SideEffect]?

    /// An answer; leave `sideEffects` `nil` for an error answer.
    package init(warnings: [LegacyMessage] = [], errors: [LegacyMessage] = [], sideEffects: [SideEffect]? = nil) {
        self.warnings = warnings
        self.errors = errors
        self.sideEffects = sideEffects
    }

    /// An error answer with one error.
    package static func error(code: Int, message: String) -> LegacyResponse {
        LegacyResponse(errors: [LegacyMessage(code: code, message: message)])
    }
}
