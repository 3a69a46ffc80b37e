/// The legacy answer: `{warnings, errors, sideEffects}` for success and warnings, `{warnings, errors}`
/// for errors, exactly as the legacy examples show.
public struct LegacyResponse: Sendable, Equatable {
    public var warnings: [LegacyMessage]
    public var errors: [LegacyMessage]
    /// `nil` for error answers, which have no `sideEffects` key.
    public var sideEffects: [SideEffect]?

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
