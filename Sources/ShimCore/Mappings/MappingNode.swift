import Yams

/// A YAML node with the location it came from, for reading mappings with errors that name
/// file, line and key path.
struct MappingNode {
    let node: Node
    let file: String
    let keyPath: String

    /// Parses a whole file; an empty file is an error.
    static func parse(_ text: String, file: String) throws(MappingError) -> MappingNode {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw MappingError(file: file, line: nil, keyPath: "", reason: "not valid YAML: \(error)")
        } catch {
            throw MappingError(file: file, line: nil, keyPath: "", reason: "not valid YAML: \(error)")
        }
        guard let node else {
            throw MappingError(file: file, line: 1, keyPath: "", reason: "the file is empty")
        }
        return MappingNode(node: node, file: file, keyPath: "")
    }

    /// The node's line in its file, when known.
    var line: Int? { node.mark?.line }

    func error(_ reason: String) -> MappingError {
        MappingError(file: file, line: node.mark?.line, keyPath: keyPath, reason: reason)
    }

    /// The members of a mapping, in file order; keys outside `allowed` are an error.
    func members(allowed: Set<String>? = nil) throws(MappingError) -> [(key: String, value: MappingNode)] {
        guard let mapping = node.mapping else { throw error("expected a mapping of keys to values") }
        var result: [(key: String, value: MappingNode)] = []
        for (keyNode, valueNode) in mapping {
            guard let key = keyNode.string else {
                throw MappingError(file: file, line: keyNode.mark?.line, keyPath: keyPath, reason: "keys must be scalars")
            }
            let path = keyPath.isEmpty ? key : "\(keyPath).\(key)"
            if let allowed, !allowed.contains(key) {
                let known = allowed.sorted().joined(separator: ", ")
                throw MappingError(
                    file: file, line: keyNode.mark?.line, keyPath: path, reason: "unknown key (known keys: \(known))")
            }
            result.append((key, MappingNode(node: valueNode, file: file, keyPath: path)))
        }
        return result
    }

    /// The value of a required key of this mapping.
    func required(_ key: String) throws(MappingError) -> MappingNode {
        guard let value = try optional(key) else { throw error("missing required key '\(key)'") }
        return value
    }

    /// The value of an optional key of this mapping.
    func optional(_ key: String) throws(MappingError) -> MappingNode? {
        guard node.mapping != nil else { throw error("expected a mapping of keys to values") }
        guard let value = node[key] else { return nil }
        let path = keyPath.isEmpty ? key : "\(keyPath).\(key)"
        return MappingNode(node: value, file: file, keyPath: path)
    }

    func elements() throws(MappingError) -> [MappingNode] {
        guard let sequence = node.sequence else { throw error("expected a list") }
        return sequence.enumerated().map { index, element in
            MappingNode(node: element, file: file, keyPath: "\(keyPath)[\(index)]")
        }
    }

    func string() throws(MappingError) -> String {
        guard case .scalar(let scalar) = node, !scalar.string.isEmpty else { throw error("expected a non-empty string") }
        return scalar.string
    }

    func int() throws(MappingError) -> Int {
        guard let value = node.int else { throw error("expected an integer") }
        return value
    }

    func bool() throws(MappingError) -> Bool {
        guard let value = node.bool else { throw error("expected true or false") }
        return value
    }

    /// An HTTP status code between 100 and 599.
    func httpStatus() throws(MappingError) -> Int {
        let value = try int()
        guard (100...599).contains(value) else { throw error("HTTP status \(value) is outside 100...599") }
        return value
    }
}
