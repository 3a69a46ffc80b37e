import NIOCore

/// What one connection of the proxy listener is receiving, when it has waited too long for the
/// caller, and when `100 Continue` may be written. A pure state machine: ``RequestReadHandler`` feeds
/// it the connection's events with the time they happened and performs the actions it returns; the
/// tests drive it without a socket.
///
/// - The **head timeout** runs from a request's first byte to the end of its head.
/// - The **body timeout** is the longest silence while the shim wants body bytes: it is suspended
///   while the caller waits for `100 Continue`, and while the server is not reading (back-pressure).
/// - While an earlier answer on the connection is still being written, the shim is the slow party:
///   both timers wait and restart when that answer ends.
/// - Between requests neither runs; the idle timeout (Hummingbird's `HTTP1Channel`) applies.
struct RequestReadStateMachine {
    /// The two limits on a caller that sends too slowly.
    struct Timeouts: Sendable {
        /// From a request's first byte to the end of its head.
        var head: TimeAmount
        /// Longest silence while the body is read.
        var body: TimeAmount
    }

    /// What the caller is sending.
    enum Inbound: Equatable {
        /// Nothing: between requests.
        case idle
        /// A request's first bytes, not yet a whole head; the head timer runs from `since`.
        case head(since: NIODeadline)
        /// The body of a request whose head arrived; silence is measured from `lastProgress`.
        case body(lastProgress: NIODeadline)
    }

    /// Where `Expect: 100-continue` of the request being received stands.
    enum Continue: Equatable {
        /// The request did not ask, or the interim answer has been written.
        case none
        /// The caller waits for it; the shim has not asked for the body yet.
        case awaited
        /// The shim asked for the body while an earlier answer was still being written.
        case deferred
    }

    /// What the handler does when a timer fires.
    enum TimeoutAction: Equatable {
        /// Nothing yet: schedule the timer again at ``deadline``, if any.
        case none
        /// Answer 408 and close the connection.
        case answerTimeoutAndClose
        /// Close without answering: an answer to this request has started already.
        case close
    }

    let timeouts: Timeouts
    private(set) var inbound: Inbound = .idle
    private(set) var expectation: Continue = .none
    /// Request heads received on this connection.
    private var received = 0
    /// Final answer heads written.
    private var started = 0
    /// Final answers written to their end.
    private var answered = 0
    /// Whether the server has asked the socket for more bytes that have not come yet.
    private var readPending = false
    /// Close once the answer in progress ends (a caller still waiting for `100 Continue` got a final answer).
    private(set) var closeAfterAnswer = false

    init(timeouts: Timeouts) {
        self.timeouts = timeouts
    }

    /// When the next timeout falls due, or `nil` when no timer should run.
    var deadline: NIODeadline? {
        switch inbound {
        case .idle:
            return nil
        case .head(let since):
            return answered == received ? since + timeouts.head : nil
        case .body(let lastProgress):
            guard expectation == .none, readPending, answered >= received - 1 else { return nil }
            return lastProgress + timeouts.body
        }
    }

    /// The first bytes of a request arrived (reported once per request, while idle).
    mutating func bytesArrived(now: NIODeadline) {
        if case .idle = inbound {
            inbound = .head(since: now)
        }
    }

    /// A request head arrived; `expectsContinue` when it carries `Expect: 100-continue`.
    mutating func headReceived(expectsContinue: Bool, now: NIODeadline) {
        received += 1
        inbound = .body(lastProgress: now)
        expectation = expectsContinue ? .awaited : .none
        closeAfterAnswer = false
    }

    /// Body bytes arrived. A caller that sends its body without waiting needs no `100 Continue`.
    mutating func bodyReceived(now: NIODeadline) {
        if case .body = inbound {
            inbound = .body(lastProgress: now)
            expectation = .none
        }
    }

    /// The request ended: from now on the start of the next one is watched for.
    mutating func endReceived() {
        inbound = .idle
        expectation = .none
    }

    /// The server asked the socket for more bytes.
    mutating func readRequested(now: NIODeadline) {
        guard !readPending else { return }
        readPending = true
        // Silence counts from when the shim wants bytes again, not from before it paused reading.
        if case .body(let lastProgress) = inbound, lastProgress < now {
            inbound = .body(lastProgress: now)
        }
    }

    /// A burst of reads from the socket ended.
    mutating func readCompleted() {
        readPending = false
    }

    /// The shim is about to read the body; returns true when `100 Continue` is to be written now.
    mutating func continueRequested(now: NIODeadline) -> Bool {
        guard expectation == .awaited, started < received else { return false }
        guard answered == received - 1 else {
            expectation = .deferred
            return false
        }
        return continueWritten(now: now)
    }

    /// A final answer head is written; returns true when it is to carry `Connection: close`.
    mutating func answerStarted() -> Bool {
        started += 1
        if started == received, expectation != .none, case .body = inbound {
            // The caller never got `100 Continue` and may never send the body: end the connection.
            closeAfterAnswer = true
        }
        return closeAfterAnswer
    }

    /// A final answer ended. Returns what to do next: write a deferred `100 Continue`, or close.
    mutating func answerEnded(now: NIODeadline) -> (writeContinue: Bool, close: Bool) {
        answered += 1
        if closeAfterAnswer, answered == received {
            return (false, true)
        }
        switch inbound {
        case .head:
            if answered == received { inbound = .head(since: now) }
        case .body:
            if answered == received - 1 {
                if expectation == .deferred { return (continueWritten(now: now), false) }
                inbound = .body(lastProgress: now)
            }
        case .idle:
            break
        }
        return (false, false)
    }

    /// A timer fired at `now`.
    mutating func timerFired(now: NIODeadline) -> TimeoutAction {
        guard let deadline, now >= deadline else { return .none }
        switch inbound {
        case .idle:
            return .none
        case .head:
            return .answerTimeoutAndClose
        case .body:
            return started < received ? .answerTimeoutAndClose : .close
        }
    }

    private mutating func continueWritten(now: NIODeadline) -> Bool {
        expectation = .none
        if case .body = inbound { inbound = .body(lastProgress: now) }
        return true
    }
}
