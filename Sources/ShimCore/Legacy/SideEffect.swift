/// One legacy `sideEffects` entry: the promotion that was issued.
package struct SideEffect: Sendable, Equatable {
    /// The programId of the issued promotion (the vendor's, else the call's).
    package var programId: Int64
    /// Documented as an integer; a vendor id that is not a number is relayed as a string.
    package var issualId: JSONValue?
    /// Documented as an integer; a vendor id that is not a number is relayed as a string.
    package var earnedId: JSONValue?
    /// The promotionId of the issued promotion (the vendor's, else the call's).
    package var promotionId: Int64
    /// The constant entry type from `route.yaml` (`legacy.sideEffectType`).
    package var type: String

    /// An entry as given.
    package init(programId: Int64, issualId: JSONValue?, earnedId: JSONValue?, promotionId: Int64, type: String) {
        self.programId = programId
        self.issualId = issualId
        self.earnedId = earnedId
        self.promotionId = promotionId
        self.type = type
    }
}
