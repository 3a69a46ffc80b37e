/// A problem in a mappings file, located by file, line and key path so an operator can fix it.
public struct MappingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file name, relative to the mappings directory.
    public var file: String
    /// 1-based line of the offending node, when known.
    public var line: Int?
    /// Dotted path of the offending key, e.g. `entity.8890.status`.
    public var keyPath: String
    /// What is wrong, in plain words.
    public var reason: String

    /// An error as given.
    public init(file: String, line: Int?, keyPath: String, reason: String) {
        self.file = file
        self.line = line
        self.keyPath = keyPath
        self.reason = reason
    }

    /// `file:line: keyPath: reason`, leaving out what is unknown or empty.
    public var description: String {
        let location = line.map { "\(file):\($0)" } ?? file
        return keyPath.isEmpty ? "\(location): \(reason)" : "\(location): \(keyPath): \(reason)"
    }
}
