import HTTPTypes
import NIOCore
package import ShimCore

/// What the caller of a legacy call gets, and what the usage log needs to know about it.
package struct LegacyCallOutcome: Sendable {
    /// The answer: a legacy answer of the shim's, or an upstream answer relayed as it came (an
    /// authentication refusal, or the legacy endpoint's own answer on the rollback route).
    package enum Reply: Sendable {
        /// A legacy answer of the shim's: a translated bulk answer or a failure of its own.
        case legacy(LegacyAnswer)
        /// An upstream answer, relayed as it came.
        case relayed(BufferedUpstreamResponse)
    }

    /// What the caller gets.
    package var reply: Reply
    /// The validated call; `nil` when validation refused it.
    package var issue: ValidatedIssue?
    /// What could be read of a call validation refused (for its usage record).
    package var readable: ReadableIssueFields?
    /// The route that served the call; `nil` when it was refused before routing.
    package var route: RouteDecision?
    /// Status of the last upstream answer, if any arrived.
    package var upstreamStatus: Int?
    /// Time spent waiting on the upstream (lookup and bulk call together).
    package var upstreamLatency: Duration?
    /// The coalesced bulk call that carried this call, and how many calls it carried.
    package var batchId: String?
    /// How many calls the coalesced bulk call carried; `nil` when the call was not coalesced.
    package var batchSize: Int?
    /// Set when a dry-run window of `deprecation.yaml` would have refused this call: `brownout` or `sunset`.
    package var wouldReject: CallOutcome?

    /// An outcome with the reply, and the validated call and route when there are any; the other fields start `nil`.
    package init(reply: Reply, issue: ValidatedIssue? = nil, route: RouteDecision? = nil) {
        self.reply = reply
        self.issue = issue
        self.route = route
    }

    /// How the call ended, for the usage log and metrics.
    package var callOutcome: CallOutcome {
        switch reply {
        case .legacy(let answer): return answer.outcome
        case .relayed(let response) where route?.target == .legacy:
            return LegacyAnswerReader.outcome(status: response.status.code, body: response.body.readableBytesView).outcome
        case .relayed: return .error
        }
    }

    /// Whether the vendor may have the call although the answer is a failure.
    package var mayHaveBeenIssued: Bool {
        if case .legacy(let answer) = reply { return answer.mayHaveBeenIssued }
        return false
    }

    /// The legacy codes of the answer.
    package var codes: [Int] {
        switch reply {
        case .legacy(let answer): return answer.codes
        case .relayed(let response) where route?.target == .legacy:
            return LegacyAnswerReader.outcome(status: response.status.code, body: response.body.readableBytesView).codes
        case .relayed: return []
        }
    }
}
