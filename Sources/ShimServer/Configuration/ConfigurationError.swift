/// A configuration value that stops start-up, with a message for the operator.
///
/// Two kinds, kept apart because `promo-shim` exits differently for them (and always has): a value
/// that cannot be read as its type (a malformed number, flag, URL or date) exits 1; a value read
/// but refused (out of range, conflicting options, invalid mappings) is a usage error and exits 64.
package struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The message, naming the option and its environment variable.
    package let description: String
    /// Whether the value was read but refused (see the type's documentation); the CLI reports
    /// these as usage errors (exit status 64).
    package let isRefusal: Bool

    /// A value that cannot be read.
    package init(_ description: String) {
        self.description = description
        self.isRefusal = false
    }

    private init(refusal description: String) {
        self.description = description
        self.isRefusal = true
    }

    /// A value read but refused: out of range, in conflict with another, or an invalid mappings table.
    package static func refused(_ description: String) -> ConfigurationError {
        ConfigurationError(refusal: description)
    }
}
