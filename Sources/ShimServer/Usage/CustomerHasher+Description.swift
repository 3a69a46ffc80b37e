extension CustomerHasher: CustomStringConvertible, CustomDebugStringConvertible {
    /// Never the key: descriptions end up in logs.
    public var description: String { "CustomerHasher(key: <redacted>)" }

    /// Never the key: debug descriptions end up in logs too.
    public var debugDescription: String { description }
}
