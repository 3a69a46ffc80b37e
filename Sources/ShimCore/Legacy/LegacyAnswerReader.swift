/// Reads a legacy answer that came from the legacy endpoint itself (the rollback route), to log
/// how the call ended as if the shim had answered it.
package enum LegacyAnswerReader {
    /// The outcome and codes of a legacy answer.
    package static func outcome(status: Int, body: some Collection<UInt8>) -> (outcome: CallOutcome, codes: [Int]) {
        guard status < 500, let answer = try? JSONValue.parse(body), case .object = answer else {
            return (.upstreamFailure, [])
        }
        func codes(_ key: String) -> [Int] {
            (answer[key]?.arrayValue ?? []).compactMap { $0["code"]?.int64Value }.compactMap { Int(exactly: $0) }
        }
        let errors = codes("errors")
        let warnings = codes("warnings")
        if !errors.isEmpty || status >= 400 { return (.error, errors + warnings) }
        if let sideEffects = answer["sideEffects"]?.arrayValue, !sideEffects.isEmpty { return (.issued, warnings) }
        return (.warning, warnings)
    }
}
