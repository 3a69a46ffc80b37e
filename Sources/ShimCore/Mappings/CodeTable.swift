/// How one bulk entity code is answered in the legacy shape.
package struct CodeMapping: Sendable, Equatable {
    /// The legacy code to answer with.
    package var legacyCode: Int
    /// The HTTP status of the legacy answer when this code decides it.
    package var status: Int
    /// A message replacing the vendor's, or `nil` to relay the vendor's message.
    package var message: String?

    /// A mapping as given; a `nil` message relays the vendor's.
    package init(legacyCode: Int, status: Int, message: String? = nil) {
        self.legacyCode = legacyCode
        self.status = status
        self.message = message
    }
}

/// A legacy error the shim answers on its own.
package struct ErrorTemplate: Sendable, Equatable {
    /// The legacy code of the error.
    package var code: Int
    /// The HTTP status of the error answer.
    package var status: Int
    /// The message of the error answer.
    package var message: String

    /// A template as given.
    package init(code: Int, status: Int, message: String) {
        self.code = code
        self.status = status
        self.message = message
    }
}

/// The code table (`codes.yaml`): bulk entity codes to legacy codes and statuses, and the
/// shim's own legacy errors.
package struct CodeTable: Sendable, Equatable {
    /// HTTP status of a legacy success answer.
    package var successStatus: Int
    /// HTTP status of a legacy answer with warnings and no side effects.
    package var warningStatus: Int
    /// HTTP status of a legacy error answer whose code has no entry.
    package var defaultErrorStatus: Int
    /// Bulk entity codes with an entry; unlisted codes are relayed as they are.
    package var entity: [Int: CodeMapping]
    /// The shim's own errors; every ``LegacyFailure`` has one (from `codes.yaml`, or its
    /// ``LegacyFailure/builtInTemplate``).
    package var local: [LegacyFailure: ErrorTemplate]

    /// A table as given; `local` should hold a template for every ``LegacyFailure`` (loading from `codes.yaml` guarantees it).
    package init(
        successStatus: Int, warningStatus: Int, defaultErrorStatus: Int,
        entity: [Int: CodeMapping], local: [LegacyFailure: ErrorTemplate]
    ) {
        self.successStatus = successStatus
        self.warningStatus = warningStatus
        self.defaultErrorStatus = defaultErrorStatus
        self.entity = entity
        self.local = local
    }

    /// The template of a local failure.
    package func template(for failure: LegacyFailure) -> ErrorTemplate {
        // Loading guarantees completeness; the fallback only guards hand-built tables.
        local[failure] ?? ErrorTemplate(code: 9999, status: 500, message: failure.rawValue)
    }
}

extension CodeTable {
    static let file = "codes.yaml"

    init(yaml text: String) throws(MappingError) {
        let root = try MappingNode.parse(text, file: Self.file)
        _ = try root.members(allowed: ["statuses", "entity", "local"])
        let statuses = try root.required("statuses")
        _ = try statuses.members(allowed: ["success", "warning", "error"])

        var entity: [Int: CodeMapping] = [:]
        var legacyCodeOwners: [Int: String] = [:]
        for (key, value) in try root.required("entity").members() {
            guard let bulkCode = Int(key) else { throw value.error("entity codes must be integers") }
            _ = try value.members(allowed: ["legacy", "status", "message"])
            let mapping = CodeMapping(
                legacyCode: try value.required("legacy").int(),
                status: try value.required("status").httpStatus(),
                message: try value.optional("message")?.string()
            )
            if let owner = legacyCodeOwners[mapping.legacyCode] {
                throw value.error("legacy code \(mapping.legacyCode) is already the answer to bulk code \(owner)")
            }
            legacyCodeOwners[mapping.legacyCode] = key
            entity[bulkCode] = mapping
        }

        var local: [LegacyFailure: ErrorTemplate] = [:]
        let known = Set(LegacyFailure.allCases.map(\.rawValue))
        for (key, value) in try root.required("local").members(allowed: known) {
            _ = try value.members(allowed: ["code", "status", "message"])
            local[LegacyFailure(rawValue: key)!] = ErrorTemplate(
                code: try value.required("code").int(),
                status: try value.required("status").httpStatus(),
                message: try value.required("message").string()
            )
        }
        for failure in LegacyFailure.allCases where local[failure] == nil {
            local[failure] = failure.builtInTemplate
        }
        let missing = LegacyFailure.allCases.filter { local[$0] == nil }.map(\.rawValue)
        guard missing.isEmpty else {
            throw try root.required("local").error("missing entries for: \(missing.joined(separator: ", "))")
        }

        self.init(
            successStatus: try statuses.required("success").httpStatus(),
            warningStatus: try statuses.required("warning").httpStatus(),
            defaultErrorStatus: try statuses.required("error").httpStatus(),
            entity: entity,
            local: local
        )
    }
}
