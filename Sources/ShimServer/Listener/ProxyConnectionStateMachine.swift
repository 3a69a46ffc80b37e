import DequeModule
import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// The rules of one proxy connection, without its I/O: which request a part belongs to, when to
/// read from the caller, and what follows an answer. ``ProxyConnectionHandler`` feeds it events
/// and performs the actions it returns.
///
/// One request is served at a time. Parts of a later request that arrive while an answer is being
/// made (a pipelining caller) are held and replayed once it ends. While an answer is being made
/// the connection keeps one read outstanding, so a caller who hangs up is noticed (and a call not
/// yet sent for them is not sent); a passthrough body is read only as fast as the upstream takes it.
struct ProxyConnectionStateMachine {
    /// Which path serves a request.
    enum Route: Equatable, Sendable {
        case legacy
        case passthrough
    }

    /// Where the connection is.
    enum Phase: Equatable, Sendable {
        /// Waiting for a request head.
        case idle
        /// A request's head has been read and its body is being read; no answer has started.
        case reading(Route)
        /// An answer is being made; `requestEnded` tells whether the request was read whole.
        case answering(Route, requestEnded: Bool)
        /// The connection is closing or closed.
        case closed
    }

    /// What to do with a part the caller sent.
    enum PartAction: Equatable {
        /// A new request: route it, then call ``routed(_:)``.
        case startRequest(HTTPRequest)
        /// A body part of the request in progress.
        case body(route: Route, bytes: ByteBuffer)
        /// The request in progress was read whole.
        case end(Route)
        /// Part of a later request, or of one already answered: nothing to do now.
        case none
    }

    /// What follows the end of an answer.
    enum AnswerEndAction: Equatable {
        /// Close the connection.
        case close
        /// Answer 400 (the caller sent bytes that are not HTTP after its last request), then close.
        case badRequestAndClose
        /// Serve these held parts, in order, as if they had just arrived.
        case replay([HTTPRequestPart])
        /// Ask the channel for the next request.
        case read
        case none
    }

    private(set) var phase: Phase = .idle
    private var held: Deque<HTTPRequestPart> = []
    private var keepAlive = true
    private var inputIsClosed = false
    /// The caller sent something that is not HTTP; what came before it is still answered.
    private var inputFailed = false
    /// The head of a held request the input ended in, dropped unserved (``takeIncompleteHead()``).
    private var incompleteHead: HTTPRequest?
    /// Whether the passthrough body's reader wants more.
    private var bodyDemand = true
    /// A read was asked of the channel and has not completed.
    private var readInFlight = false

    /// Whether the connection closes once the answer in progress ends; its answer then says
    /// `Connection: close`.
    var closesAfterAnswer: Bool {
        switch phase {
        case .answering(_, let requestEnded): return !requestEnded || !keepAlive || inputEnded && held.isEmpty
        case .closed: return true
        case .idle, .reading: return !keepAlive || inputEnded && held.isEmpty
        }
    }

    /// No more requests will arrive: the caller closed its side, or sent something that is not HTTP.
    private var inputEnded: Bool { inputIsClosed || inputFailed }

    /// What to do about bytes that are not HTTP.
    enum ParseFailureAction: Equatable {
        /// Answer 400 now and close: nothing else is waiting for an answer.
        case badRequestAndClose
        /// Answer what was read before them first (``answerEnded()`` then says `badRequestAndClose`).
        case afterAnswers
    }

    /// The decoder met bytes that are not HTTP.
    mutating func parseFailed() -> ParseFailureAction {
        inputFailed = true
        switch phase {
        case .answering:
            return .afterAnswers
        case .idle, .reading, .closed:
            phase = .closed
            held.removeAll()
            return .badRequestAndClose
        }
    }

    private var wantsRead: Bool {
        if inputEnded || readInFlight { return false }
        switch phase {
        case .idle, .reading: return held.isEmpty
        case .answering(.passthrough, requestEnded: false): return bodyDemand
        // One read outstanding notices a caller who hangs up; it stops at a held request.
        case .answering: return held.isEmpty
        case .closed: return false
        }
    }

    /// Marks a read as asked for when one is wanted; returns whether to ask the channel.
    private mutating func readIfWanted() -> Bool {
        guard wantsRead else { return false }
        readInFlight = true
        return true
    }

    /// The connection became active; returns whether to read.
    mutating func activated() -> Bool {
        readIfWanted()
    }

    /// A part arrived from the caller.
    mutating func received(_ part: HTTPRequestPart) -> PartAction {
        switch phase {
        case .closed:
            return .none
        case .idle where held.isEmpty:
            guard case .head(let head) = part else { return .none }
            if let connection = head.headerFields[.connection], connection.lowercased().contains("close") {
                keepAlive = false
            }
            // After CONNECT the decoder reads no more requests on the connection.
            if head.method == .connect { keepAlive = false }
            return .startRequest(head)
        case .idle, .answering(_, requestEnded: true):
            held.append(part)
            return .none
        case .reading(let route), .answering(let route, requestEnded: false):
            // A part of the request in progress, whether or not its answer has started.
            switch part {
            case .head:
                return .none
            case .body(let bytes):
                return .body(route: route, bytes: bytes)
            case .end:
                phase = .answering(route, requestEnded: true)
                return .end(route)
            }
        }
    }

    /// The request started by ``PartAction/startRequest(_:)`` goes to `route`; a passthrough
    /// request's answer starts at once (its body streams to the upstream).
    mutating func routed(_ route: Route) {
        guard phase == .idle else { return }
        bodyDemand = true
        phase = route == .passthrough ? .answering(.passthrough, requestEnded: false) : .reading(.legacy)
    }

    /// The connection closes after the answer in progress (the shim is draining).
    mutating func stopKeepAlive() {
        keepAlive = false
    }

    /// The shim answers the request in progress before reading its whole body (a body over the
    /// limit); the rest of the body is discarded and the connection closes after the answer.
    mutating func answeringEarly() {
        if case .reading(let route) = phase {
            phase = .answering(route, requestEnded: false)
        }
    }

    /// A read completed; returns whether to read again.
    mutating func readCompleted() -> Bool {
        readInFlight = false
        return readIfWanted()
    }

    /// The passthrough body's reader wants more, or has enough; returns whether to read.
    mutating func bodyDemandChanged(wantsMore: Bool) -> Bool {
        bodyDemand = wantsMore
        return readIfWanted()
    }

    /// The caller closed its side of the connection; returns whether to close now.
    mutating func inputClosed() -> Bool {
        inputIsClosed = true
        if phase == .idle, held.isEmpty {
            phase = .closed
            return true
        }
        return false
    }

    /// The answer in progress was written whole.
    mutating func answerEnded() -> AnswerEndAction {
        guard case .answering(_, let requestEnded) = phase else { return .none }
        if inputEnded { dropIncompleteHeldRequest() }
        if closesAfterAnswer {
            phase = .closed
            return inputFailed && keepAlive && requestEnded ? .badRequestAndClose : .close
        }
        phase = .idle
        if !held.isEmpty {
            let parts = Array(held)
            held.removeAll()
            return .replay(parts)
        }
        return readIfWanted() ? .read : .none
    }

    /// What follows a replay of held parts.
    enum ReplayEndAction: Equatable {
        case read
        case none
        /// A held request can never be read whole (the input ended): close.
        case close
        /// The same, after bytes that are not HTTP: answer 400, then close.
        case badRequestAndClose
    }

    /// Once no more input can come, a held request without its end can never be served: it is
    /// dropped, so nothing of it is sent upstream.
    private mutating func dropIncompleteHeldRequest() {
        let complete = held.lastIndex(where: { if case .end = $0 { return true } else { return false } }).map { $0 + 1 } ?? 0
        guard complete < held.count else { return }
        if case .head(let head) = held[complete] { incompleteHead = head }
        held.removeLast(held.count - complete)
    }

    /// The head of a held request dropped because the input ended inside it, once.
    mutating func takeIncompleteHead() -> HTTPRequest? {
        defer { incompleteHead = nil }
        return incompleteHead
    }

    /// After a replay: read for more, or give up on a request the input ended in.
    mutating func replayed() -> ReplayEndAction {
        if inputEnded, phase == .idle || phase == .reading(.legacy) || phase == .reading(.passthrough) {
            phase = .closed
            return inputFailed ? .badRequestAndClose : .close
        }
        return readIfWanted() ? .read : .none
    }

    /// The connection closed or failed.
    mutating func closed() {
        phase = .closed
        held.removeAll()
    }
}
