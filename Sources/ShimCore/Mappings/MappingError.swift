/// A problem in a mappings file, located by file, line and key path so an operator can fix it.
package struct MappingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file name, relative to the mappings directory.
    package var file: String
    /// 1-based line of the offending node, when known.
    package var line: Int?
    /// Dotted path of the offending key, e.g. `entity.8890.status`.
    package var keyPath: String
    /// What is wrong, in plain words.
    package var reason: String

    /// An error as given.
    package init(file: String, line: Int?, keyPath: String, reason: String) {
        self.file = file
        self.line = line
        self.keyPath = keyPath
        self.reason = reason
    }

    /// `file:line: keyPath: reason`, leaving out what is unknown or empty.
    package var description: String {
        let location = line.map { "\(file):\($0)" } ?? file
        return keyPath.isEmpty ? "\(location): \(reason)" : "\(location): \(keyPath): \(reason)"
    }
}
