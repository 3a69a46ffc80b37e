/// The shim's JSON bodies, written in the key order the vendor documents them.
package enum LegacyJSON {
    /// `{"warnings":[..],"errors":[..](,"sideEffects":[..])}`
    package static func encode(_ response: LegacyResponse) -> [UInt8] {
        var writer = JSONWriter()
        writer.object { writer in
            writer.key("warnings")
            writer.array { writer in response.warnings.forEach { write($0, into: &writer) } }
            writer.key("errors")
            writer.array { writer in response.errors.forEach { write($0, into: &writer) } }
            if let sideEffects = response.sideEffects {
                writer.key("sideEffects")
                writer.array { writer in sideEffects.forEach { write($0, into: &writer) } }
            }
        }
        return writer.bytes
    }

    /// The bulk request body, nested as in the vendor's reference.
    package static func encode(_ request: BulkRequest) -> [UInt8] {
        var writer = JSONWriter()
        writer.object { writer in
            writer.key("type")
            writer.string(request.type)
            writer.key("bulkAction")
            writer.string(request.bulkAction)
            writer.key("promotionDetails")
            writer.object { writer in
                writer.key("programId")
                writer.integer(request.promotionDetails.programId)
                writer.key("promotionId")
                writer.integer(request.promotionDetails.promotionId)
            }
            writer.key("identifierName")
            writer.string(request.identifierName)
            writer.key("customers")
            writer.array { writer in
                for customer in request.customers {
                    writer.object { writer in
                        writer.key("identifierValue")
                        writer.string(customer.identifierValue)
                        writer.key("source")
                        writer.string(customer.source)
                        if let accountId = customer.accountId {
                            writer.key("accountId")
                            writer.string(accountId)
                        }
                    }
                }
            }
        }
        return writer.bytes
    }

    private static func write(_ message: LegacyMessage, into writer: inout JSONWriter) {
        writer.object { writer in
            writer.key("status")
            writer.bool(message.status)
            writer.key("code")
            writer.integer(message.code)
            writer.key("message")
            writer.string(message.message)
        }
    }

    private static func write(_ sideEffect: SideEffect, into writer: inout JSONWriter) {
        writer.object { writer in
            writer.key("programId")
            writer.integer(sideEffect.programId)
            if let issualId = sideEffect.issualId {
                writer.key("issualId")
                writer.value(issualId)
            }
            if let earnedId = sideEffect.earnedId {
                writer.key("earnedId")
                writer.value(earnedId)
            }
            writer.key("promotionId")
            writer.integer(sideEffect.promotionId)
            writer.key("type")
            writer.string(sideEffect.type)
        }
    }
}
