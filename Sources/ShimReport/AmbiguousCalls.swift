public import ShimCore

/// The calls whose answer was a failure although the vendor may have issued the promotion (a
/// timeout, a failure after the call was sent): the list operations reconcile with the vendor.
///
/// Bounded: the first ``limit`` calls read are kept, later ones only counted in ``omitted``
/// (narrow the report with `--since`, or raise `--ambiguous-limit`, to list them).
public struct AmbiguousCalls: Sendable {
    /// One call to reconcile: what identifies it at the vendor, and never a raw identifier value.
    public struct Call: Sendable, Equatable {
        /// When the call arrived, in milliseconds since the Unix epoch.
        public var timestampMilliseconds: Int64
        /// The request id the shim echoed and sent upstream.
        public var requestId: String
        /// The client as in the usage log.
        public var client: String
        /// The keyed hash of the customer's identifier, if it was validated.
        public var customer: String?
        /// The program called.
        public var programId: Int64?
        /// The promotion called.
        public var promotionId: Int64?
        /// How the call ended (mostly `upstream_failure`).
        public var outcome: String
        /// The legacy codes of the answer.
        public var codes: [Int]

        /// The arrival time, RFC 3339.
        public var timestamp: String { RFC3339.format(epochMilliseconds: timestampMilliseconds) }
    }

    /// Calls listed by default: about 2 MB.
    public static let defaultLimit = 10_000
    /// Most calls listed.
    public let limit: Int
    /// The calls kept, in reading order (see ``sorted``).
    public private(set) var calls: [Call] = []
    /// Ambiguous calls beyond ``limit``, counted only.
    public private(set) var omitted = 0

    /// An empty list keeping at most `limit` calls.
    public init(limit: Int = defaultLimit) {
        self.limit = max(0, limit)
    }

    /// Every ambiguous call read, listed or not.
    public var total: Int { calls.count + omitted }

    /// The listed calls by time, then request id (logs of several replicas interleave).
    public var sorted: [Call] {
        calls.sorted {
            $0.timestampMilliseconds != $1.timestampMilliseconds
                ? $0.timestampMilliseconds < $1.timestampMilliseconds : $0.requestId < $1.requestId
        }
    }

    /// Lists a call (the caller checked ``UsageRecord/isAmbiguous``).
    public mutating func add(_ record: UsageRecord) {
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
    public mutating func merge(_ other: AmbiguousCalls) {
        let room = max(0, limit - calls.count)
        calls += other.calls.prefix(room)
        omitted += other.omitted + max(0, other.calls.count - room)
    }
}
