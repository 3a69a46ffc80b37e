extension CustomerHasher: CustomStringConvertible, CustomDebugStringConvertible {
    /// Never the key: descriptions end up in logs.
    package var description: String { "CustomerHasher(key: <redacted>)" }

    /// Never the key: debug descriptions end up in logs too.
    package var debugDescription: String { description }
}
