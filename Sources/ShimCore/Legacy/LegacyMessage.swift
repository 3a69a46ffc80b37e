/// One entry of a legacy `warnings` or `errors` list: `{"status": false, "code": .., "message": ..}`.
public struct LegacyMessage: Sendable, Equatable {
    public var status: Bool
    public var code: Int
    public var message: String

    public init(status: Bool = false, code: Int, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }
}
