import NIOCore
import Testing

@testable import ShimServer

/// The decisions of the listener's read timeouts and `100 Continue`, without a socket.
@Suite("Request read state machine")
struct RequestReadStateMachineTests {
    static let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
    static func at(_ milliseconds: Int64) -> NIODeadline { start + .milliseconds(milliseconds) }

    static func machine() -> RequestReadStateMachine {
        RequestReadStateMachine(timeouts: .init(head: .milliseconds(100), body: .milliseconds(50)))
    }

    @Test("Between requests no timer runs; a head runs from its first byte, not from later bytes")
    func headTimer() {
        var state = Self.machine()
        #expect(state.deadline == nil)
        state.bytesArrived(now: Self.at(10))
        state.bytesArrived(now: Self.at(60))
        #expect(state.deadline == Self.at(110))
        #expect(state.timerFired(now: Self.at(90)) == .none)
        #expect(state.timerFired(now: Self.at(110)) == .answerTimeoutAndClose)
    }

    @Test("The body timer measures silence while the server reads, and waits out back-pressure")
    func bodySilence() {
        var state = Self.machine()
        state.bytesArrived(now: Self.at(0))
        state.headReceived(expectsContinue: false, now: Self.at(5))
        state.readRequested(now: Self.at(5))
        #expect(state.deadline == Self.at(55))
        state.bodyReceived(now: Self.at(40))
        #expect(state.deadline == Self.at(90))
        state.readCompleted()
        #expect(state.deadline == nil, "not reading: the caller is not the slow party")
        state.readRequested(now: Self.at(500))
        #expect(state.deadline == Self.at(550))
        #expect(state.timerFired(now: Self.at(550)) == .answerTimeoutAndClose)
    }

    @Test("A body stalled after the answer started is closed without a 408")
    func bodyAfterAnswer() {
        var state = Self.machine()
        state.headReceived(expectsContinue: false, now: Self.at(0))
        state.readRequested(now: Self.at(0))
        #expect(state.answerStarted() == false)
        #expect(state.timerFired(now: Self.at(60)) == .close)
    }

    @Test("100 Continue: no timer while the caller waits, written when the body is asked for, then the timer runs")
    func continueThenBody() {
        var state = Self.machine()
        state.headReceived(expectsContinue: true, now: Self.at(0))
        state.readRequested(now: Self.at(0))
        #expect(state.deadline == nil)
        #expect(state.continueRequested(now: Self.at(1000)) == true)
        #expect(state.deadline == Self.at(1050))
        #expect(state.continueRequested(now: Self.at(1001)) == false, "written once")
    }

    @Test("A final answer to a caller still waiting for 100 Continue closes the connection")
    func answerWithoutContinue() {
        var state = Self.machine()
        state.headReceived(expectsContinue: true, now: Self.at(0))
        #expect(state.answerStarted() == true)
        #expect(state.answerEnded(now: Self.at(1)) == (false, true))
    }

    @Test("A caller that sends its body without waiting needs no 100 Continue and keeps its connection")
    func bodyWithoutWaiting() {
        var state = Self.machine()
        state.headReceived(expectsContinue: true, now: Self.at(0))
        state.bodyReceived(now: Self.at(1))
        state.endReceived()
        #expect(state.continueRequested(now: Self.at(2)) == false)
        #expect(state.answerStarted() == false)
        #expect(state.answerEnded(now: Self.at(3)) == (false, false))
    }

    @Test("Pipelined: 100 Continue waits for the earlier answer's end, and timers wait while the shim answers")
    func pipelined() {
        var state = Self.machine()
        state.headReceived(expectsContinue: false, now: Self.at(0))
        state.endReceived()
        state.headReceived(expectsContinue: true, now: Self.at(1))
        state.readRequested(now: Self.at(1))
        #expect(state.continueRequested(now: Self.at(2)) == false)
        #expect(state.deadline == nil)
        #expect(state.answerStarted() == false)
        #expect(state.answerEnded(now: Self.at(500)) == (true, false))
        #expect(state.deadline == Self.at(550))
    }

    @Test("A partial head behind an answer in progress is timed from that answer's end")
    func headBehindAnswer() {
        var state = Self.machine()
        state.headReceived(expectsContinue: false, now: Self.at(0))
        state.endReceived()
        state.bytesArrived(now: Self.at(1))
        #expect(state.deadline == nil)
        _ = state.answerStarted()
        _ = state.answerEnded(now: Self.at(300))
        #expect(state.deadline == Self.at(400))
    }
}
