package import ShimCore

/// The calls whose answer was a failure although the vendor may have issued the promotion (a
/// timeout, a failure after the call was sent): the list operations reconcile with the vendor.
///
/// Bounded: the first ``limit`` calls read are kept, later ones only counted in ``omitted``
/// (narrow the report with `--since`, or raise `--ambiguous-limit`, to list them).
package struct AmbiguousCalls: Sendable {
    /// One call to reconcile: what identifies it at the vendor, and never a raw identifier value.
    package struct Call: Sendable {
        /// When the call arrived, in milliseconds since the Unix epoch.
        package var timestampMilliseconds: Int64
        /// The request id the shim echoed and sent upstream.
        package var requestId: String
        /// The client as in the usage log.
        package var client: String
        /// The keyed hash of the customer's identifier, if it was validated.
        package var customer: String?
        /// The program called.
        package var programId: Int64?
        /// The promotion called.
        package var promotionId: Int64?
        /// How the call ended (mostly `upstream_failure`).
        package var outcome: String
        /// The legacy codes of the answer.
        package var codes: [Int]

        /// The arrival time, RFC 3339.
        package var timestamp: String { RFC3339.format(epochMilliseconds: timestampMilliseconds) }
    }

    /// Calls listed by default: about 2 MB.
    package static let defaultLimit = 10_000
    /// Most calls listed.
    package let limit: Int
    /// The calls kept, in reading order (see ``sorted``).
    package private(set) var calls: [Call] = []
    /// Ambiguous calls beyond ``limit``, counted only.
    package private(set) var omitted = 0

    /// An empty list keeping at most `limit` calls.
    package init(limit: Int = defaultLimit) {
        self.limit = max(0, limit)
    }

    /// Every ambiguous call read, listed or not.
    package var total: Int { calls.count + omitted }

    /// The listed calls by time, then request id (logs of several replicas interleave).
    package var sorted: [Call] {
        calls.sorted {
            $0.timestampMilliseconds != $1.timestampMilliseconds
                ? $0.timestampMilliseconds < $1.timestampMilliseconds : $0.requestId < $1.requestId
        }
    }

    /// Lists a call (the caller checked ``UsageRecord/isAmbiguous``).
    package mutating func add(_ record: UsageRecord) {
        guard calls.count < limit else {
            omitted += 1
            return
        }
        calls.append(
            Call(
                timestampMilliseconds: record.timestampMilliseconds, requestId: record.requestId, client: record.client,
                customer: record.customer, programId: record.programId, promotionId: record.promotionId,
                outcome: record.outcome.rawValue, codes: record.codes
            )
        )
    }

    /// Adds another list's calls, within this list's limit.
    package mutating func merge(_ other: AmbiguousCalls) {
        let room = max(0, limit - calls.count)
        calls += other.calls.prefix(room)
        omitted += other.omitted + max(0, other.calls.count - room)
    }
}
