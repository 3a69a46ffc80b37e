import HTTPTypes
import NIOCore
import NIOHTTPTypes
import Testing

@testable import ShimServer

/// The proxy connection's rules, without sockets: which request a part belongs to, when to read
/// from the caller, and what follows an answer.
@Suite("Proxy connection rules")
struct ProxyConnectionStateMachineTests {
    typealias Machine = ProxyConnectionStateMachine

    static func head(_ path: String = "/v2/promotion/issue", connection: String? = nil) -> HTTPRequest {
        var head = HTTPRequest(method: .post, scheme: nil, authority: "shim", path: path)
        if let connection { head.headerFields[.connection] = connection }
        return head
    }

    static let bytes = ByteBuffer(string: "{}")

    /// A machine that has read the head of one legacy request.
    static func readingLegacy() -> Machine {
        var machine = Machine()
        let result1 = machine.activated()
        #expect(result1)
        #expect(machine.received(.head(head())) == .startRequest(head()))
        machine.routed(.legacy)
        return machine
    }

    @Test("A legacy call: head, body, end, answer, then the next request is read on the same connection")
    func legacyCallKeepsTheConnection() {
        var machine = Self.readingLegacy()
        #expect(machine.received(.body(Self.bytes)) == .body(route: .legacy, bytes: Self.bytes))
        #expect(machine.received(.end(nil)) == .end(.legacy))
        #expect(machine.phase == .answering(.legacy, requestEnded: true))
        #expect(!machine.closesAfterAnswer)
        let result2 = machine.readCompleted()
        #expect(result2)  // one read stays out to notice a caller who hangs up
        #expect(machine.answerEnded() == .none)  // that read is still outstanding
        #expect(machine.phase == .idle)
        let result3 = machine.readCompleted()
        #expect(result3)
    }

    @Test("Connection: close is honoured after the answer")
    func connectionCloseClosesAfterTheAnswer() {
        var machine = Machine()
        _ = machine.activated()
        _ = machine.received(.head(Self.head(connection: "close")))
        machine.routed(.legacy)
        _ = machine.received(.end(nil))
        #expect(machine.closesAfterAnswer)
        #expect(machine.answerEnded() == .close)
        #expect(machine.phase == .closed)
        #expect(machine.received(.head(Self.head())) == .none)
    }

    @Test("A pipelined request that arrives during an answer is held, then replayed in order")
    func pipelinedRequestsAreHeldAndReplayed() {
        var machine = Self.readingLegacy()
        _ = machine.received(.end(nil))
        let next = Self.head("/v2/customers/lookup")
        #expect(machine.received(.head(next)) == .none)
        #expect(machine.received(.end(nil)) == .none)
        // Nothing more is read while a request is held.
        let result4 = machine.readCompleted()
        #expect(!result4)
        #expect(machine.answerEnded() == .replay([.head(next), .end(nil)]))
        #expect(machine.received(.head(next)) == .startRequest(next))
        machine.routed(.passthrough)
        #expect(machine.received(.end(nil)) == .end(.passthrough))
        let result5 = machine.replayed()
        #expect(result5 == .read)
    }

    @Test("A body over the limit is answered before it is read whole; the connection then closes")
    func earlyAnswerClosesTheConnection() {
        var machine = Self.readingLegacy()
        machine.answeringEarly()
        #expect(machine.phase == .answering(.legacy, requestEnded: false))
        #expect(machine.closesAfterAnswer)
        #expect(machine.received(.body(Self.bytes)) == .body(route: .legacy, bytes: Self.bytes))
        #expect(machine.answerEnded() == .close)
    }

    @Test("A passthrough body is read only while the upstream wants more")
    func passthroughBodyFollowsDemand() {
        var machine = Machine()
        let result6 = machine.activated()
        #expect(result6)
        _ = machine.received(.head(Self.head("/upload")))
        machine.routed(.passthrough)
        #expect(machine.phase == .answering(.passthrough, requestEnded: false))
        #expect(machine.received(.body(Self.bytes)) == .body(route: .passthrough, bytes: Self.bytes))
        let result7 = machine.bodyDemandChanged(wantsMore: false)
        #expect(!result7)  // the read in flight completes first
        let result8 = machine.readCompleted()
        #expect(!result8)  // and no new one is asked: the upstream has enough
        let result9 = machine.bodyDemandChanged(wantsMore: true)
        #expect(result9)
        let result10 = machine.bodyDemandChanged(wantsMore: true)
        #expect(!result10)  // one read at a time
    }

    @Test("A caller who closes its side: an idle connection closes at once, a call in progress is answered first")
    func inputClosed() {
        var idle = Machine()
        _ = idle.activated()
        let result11 = idle.inputClosed()
        #expect(result11)

        var busy = Self.readingLegacy()
        _ = busy.received(.end(nil))
        let result12 = busy.inputClosed()
        #expect(!result12)
        let result13 = busy.readCompleted()
        #expect(!result13)  // nothing more to read
        #expect(busy.closesAfterAnswer)
        #expect(busy.answerEnded() == .close)
    }

    @Test("Parts after the connection closed are ignored")
    func closedIgnoresEverything() {
        var machine = Self.readingLegacy()
        machine.closed()
        #expect(machine.received(.body(Self.bytes)) == .none)
        let result14 = machine.readCompleted()
        #expect(!result14)
        #expect(machine.answerEnded() == .none)
    }

    @Test("Bytes that are not HTTP behind a call in flight: the call is answered first, then 400 and the close")
    func parseFailureAfterAnswers() {
        var machine = Self.readingLegacy()
        _ = machine.received(.end(nil))
        #expect(machine.parseFailed() == .afterAnswers)
        let read = machine.readCompleted()
        #expect(!read)  // nothing more is read
        #expect(machine.answerEnded() == .badRequestAndClose)
    }

    @Test("Bytes that are not HTTP on an idle connection: 400 and the close at once")
    func parseFailureWhenIdle() {
        var machine = Machine()
        _ = machine.activated()
        #expect(machine.parseFailed() == .badRequestAndClose)
        #expect(machine.phase == .closed)
    }

    @Test("Requests held before a half-close are still served, then the connection closes")
    func heldRequestsServedAfterHalfClose() {
        var machine = Self.readingLegacy()
        _ = machine.received(.end(nil))
        #expect(machine.received(.head(Self.head())) == .none)
        #expect(machine.received(.end(nil)) == .none)
        let closeNow = machine.inputClosed()
        #expect(!closeNow)
        #expect(!machine.closesAfterAnswer)  // a held request waits for its answer
        #expect(machine.answerEnded() == .replay([.head(Self.head()), .end(nil)]))
        #expect(machine.received(.head(Self.head())) == .startRequest(Self.head()))
        machine.routed(.legacy)
        #expect(machine.received(.end(nil)) == .end(.legacy))
        #expect(machine.replayed() == .none)
        #expect(machine.answerEnded() == .close)
    }

    @Test("A half-close inside a held request: it is dropped unserved (never sent) and the connection closes")
    func halfCloseInsideAHeldRequest() {
        var machine = Self.readingLegacy()
        _ = machine.received(.end(nil))
        let upload = Self.head("/upload")
        #expect(machine.received(.head(upload)) == .none)
        #expect(machine.received(.body(Self.bytes)) == .none)
        _ = machine.inputClosed()
        #expect(machine.answerEnded() == .close)
        #expect(machine.takeIncompleteHead() == upload)
        #expect(machine.takeIncompleteHead() == nil)
    }

    @Test("Garbage after a complete and an incomplete held request: the complete one is served, the other dropped, then 400")
    func garbageAfterHeldRequests() {
        var machine = Self.readingLegacy()
        _ = machine.received(.end(nil))
        _ = machine.received(.head(Self.head()))
        _ = machine.received(.end(nil))
        _ = machine.received(.head(Self.head("/upload")))
        #expect(machine.parseFailed() == .afterAnswers)
        #expect(machine.answerEnded() == .replay([.head(Self.head()), .end(nil)]))
        #expect(machine.takeIncompleteHead() == Self.head("/upload"))
        _ = machine.received(.head(Self.head()))
        machine.routed(.legacy)
        _ = machine.received(.end(nil))
        #expect(machine.replayed() == .none)
        #expect(machine.answerEnded() == .badRequestAndClose)
    }

    @Test("CONNECT ends the connection after its answer")
    func connectCloses() {
        var machine = Machine()
        _ = machine.activated()
        let head = HTTPRequest(method: .connect, scheme: nil, authority: "vendor.example:443", path: nil)
        #expect(machine.received(.head(head)) == .startRequest(head))
        machine.routed(.passthrough)
        _ = machine.received(.end(nil))
        #expect(machine.answerEnded() == .close)
    }
}
