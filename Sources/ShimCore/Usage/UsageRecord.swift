/// One line of the usage log: who called the deprecated endpoint, with what, and how it ended.
///
/// It carries no credential and no raw identifier value: `client` is a user name or a token
/// digest, `customer` a keyed hash.
package struct UsageRecord: Sendable, Equatable {
    /// Milliseconds since the Unix epoch when the call arrived.
    package var timestampMilliseconds: Int64
    /// The caller's `X-Request-Id` / `X-CAP-REQUEST-ID`, or the id the shim gave the call.
    package var requestId: String
    /// Who called: the Basic-auth user name, `oauth:` and a token digest, or `anonymous`.
    package var client: String
    /// The caller's `User-Agent`, cut to 256 characters.
    package var userAgent: String?
    /// The caller's IP address.
    package var remoteAddress: String?
    /// The legacy programId, when it could be read.
    package var programId: Int64?
    /// The legacy promotionId, when it could be read.
    package var promotionId: Int64?
    /// The legacy source in its documented spelling, when the tables know it.
    package var source: String?
    /// The legacy identifierName, when the tables know it (never its value).
    package var identifierName: String?
    /// Keyed hash of identifierName and identifierValue.
    package var customer: String?
    /// How the call ended.
    package var outcome: CallOutcome
    /// The legacy codes of the answer, errors first.
    package var codes: [Int]
    /// HTTP status of the last upstream answer (`nil`: none arrived).
    package var upstreamStatus: Int?
    /// Time from the call's arrival to its answer, in milliseconds.
    package var latencyMilliseconds: Double
    /// Time spent waiting on the vendor (lookup and bulk call), in milliseconds.
    package var upstreamLatencyMilliseconds: Double?
    /// Which route served the call: `translate`, `legacy`, or a bulk route's name (`nil`: refused before routing).
    package var route: String?
    /// The coalesced bulk call that carried this call, and its size (`nil` when not coalesced).
    package var batchId: String?
    /// How many calls the coalesced bulk call carried.
    package var batchSize: Int?
    /// The answer was a failure after which the vendor may have the call (a timeout, a failure after
    /// sending): the calls operations reconcile with the vendor. Written only when true.
    package var mayHaveBeenIssued: Bool
    /// A call served as usual that a dry-run window of `deprecation.yaml` would have refused:
    /// `brownout` or `sunset`. Written only when set.
    package var wouldReject: CallOutcome?

    /// A record; the fields written only when set default to unset.
    package init(
        timestampMilliseconds: Int64, requestId: String, client: String, userAgent: String? = nil,
        remoteAddress: String? = nil, programId: Int64? = nil, promotionId: Int64? = nil, source: String? = nil,
        identifierName: String? = nil, customer: String? = nil, outcome: CallOutcome, codes: [Int] = [],
        upstreamStatus: Int? = nil, latencyMilliseconds: Double, upstreamLatencyMilliseconds: Double? = nil,
        route: String? = nil, batchId: String? = nil, batchSize: Int? = nil, mayHaveBeenIssued: Bool = false,
        wouldReject: CallOutcome? = nil
    ) {
        self.mayHaveBeenIssued = mayHaveBeenIssued
        self.wouldReject = wouldReject
        self.route = route
        self.batchId = batchId
        self.batchSize = batchSize
        self.timestampMilliseconds = timestampMilliseconds
        self.requestId = requestId
        self.client = client
        self.userAgent = userAgent
        self.remoteAddress = remoteAddress
        self.programId = programId
        self.promotionId = promotionId
        self.source = source
        self.identifierName = identifierName
        self.customer = customer
        self.outcome = outcome
        self.codes = codes
        self.upstreamStatus = upstreamStatus
        self.latencyMilliseconds = latencyMilliseconds
        self.upstreamLatencyMilliseconds = upstreamLatencyMilliseconds
    }

    /// The record as one JSON line, newline included; absent values are written as `null`.
    package func jsonLine(into writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("ts", RFC3339.format(epochMilliseconds: timestampMilliseconds))
            writer.member("requestId", requestId)
            writer.member("client", client)
            writer.member("userAgent", userAgent)
            writer.member("remoteAddr", remoteAddress)
            writer.member("programId", programId)
            writer.member("promotionId", promotionId)
            writer.member("source", source)
            writer.member("identifierName", identifierName)
            writer.member("customer", customer)
            writer.member("outcome", outcome.rawValue)
            writer.key("codes")
            writer.array { writer in codes.forEach { writer.integer($0) } }
            writer.member("upstreamStatus", upstreamStatus)
            writer.key("latencyMs")
            writer.milliseconds(latencyMilliseconds)
            writer.key("upstreamLatencyMs")
            if let upstreamLatencyMilliseconds {
                writer.milliseconds(upstreamLatencyMilliseconds)
            } else {
                writer.value(.null)
            }
            writer.member("route", route)
            if let batchId {
                writer.member("batchId", batchId)
                writer.member("batchSize", batchSize)
            }
            if mayHaveBeenIssued { writer.member("mayHaveBeenIssued", true) }
            if let wouldReject { writer.member("wouldReject", wouldReject.rawValue) }
        }
        writer.newline()
    }
}

extension JSONWriter {
    /// A duration in milliseconds with microsecond precision.
    mutating func milliseconds(_ value: Double) {
        let micros = Int64((value * 1000).rounded())
        let whole = micros / 1000
        let fraction = micros % 1000
        let fractionText = String(fraction)
        raw(String(whole) + "." + String(repeating: "0", count: 3 - fractionText.count) + fractionText)
    }
}
