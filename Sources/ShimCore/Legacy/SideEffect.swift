/// One legacy `sideEffects` entry: the promotion that was issued.
public struct SideEffect: Sendable, Equatable {
    /// The legacy programId of the call.
    public var programId: Int64
    /// Documented as an integer; a vendor id that is not a number is relayed as a string.
    public var issualId: JSONValue?
    /// Documented as an integer; a vendor id that is not a number is relayed as a string.
    public var earnedId: JSONValue?
    /// The legacy promotionId of the call.
    public var promotionId: Int64
    /// The constant entry type from `route.yaml` (`legacy.sideEffectType`).
    public var type: String

    /// An entry as given; the ids are relayed as the vendor sent them.
    public init(programId: Int64, issualId: JSONValue?, earnedId: JSONValue?, promotionId: Int64, type: String) {
        self.programId = programId
        self.issualId = issualId
        self.earnedId = earnedId
        self.promotionId = promotionId
        self.type = type
    }
}
