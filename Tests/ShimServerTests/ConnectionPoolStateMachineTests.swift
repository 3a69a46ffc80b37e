import NIOCore
import Testing

@testable import ShimServer

/// The event-loop pool's rules, without sockets: which connection serves which call, when to
/// connect, close, fail. Each test runs in microseconds on a simulated clock.
@Suite("Connection pool rules")
struct ConnectionPoolStateMachineTests {
    typealias Machine = EventLoopConnectionPool.StateMachine<Int>
    static let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
    static let grace = TimeAmount.microseconds(500)

    static func machine(maxIdle: Int = 4) -> Machine {
        Machine(maxIdle: maxIdle, idleTimeout: .seconds(4), reuseGrace: grace)
    }

    static func waiter(_ id: UInt64, deadline: TimeAmount = .seconds(15), retry: Bool = true) -> Machine.Waiter {
        Machine.Waiter(id: id, deadline: start + deadline, retryOnConnectFailure: retry)
    }

    @Test("A call with no idle connection connects, and the new connection serves it")
    func connectsWhenNothingIdle() {
        var pool = Self.machine()
        #expect(
            pool.request(Self.waiter(1), now: Self.start, isReusable: { _ in true }) == [
                .connect(deadline: Self.start + .seconds(15))
            ])
        #expect(pool.connected(7, now: Self.start) == [.send(1, on: 7)])
    }

    @Test("A new call takes an idle connection the kernel reports open, however recently freed")
    func newCallTakesOpenIdleConnection() {
        var pool = Self.machine()
        #expect(pool.released(7, now: Self.start).isEmpty)
        #expect(
            pool.request(Self.waiter(1), now: Self.start + .microseconds(100), isReusable: { _ in true }) == [.send(1, on: 7)])
    }

    @Test("A freed connection is handed to a waiting call only once it has settled")
    func handOffWaitsForTheGrace() {
        var pool = Self.machine()
        #expect(
            pool.request(Self.waiter(1), now: Self.start, isReusable: { _ in true }) == [
                .connect(deadline: Self.start + .seconds(15))
            ])
        #expect(
            pool.released(7, now: Self.start + .microseconds(10)) == [
                .scheduleHandOff(at: Self.start + .microseconds(10) + Self.grace)
            ])
        // Too early (a timer may fire early on a busy loop): nothing yet, and the hand-off is asked again.
        #expect(
            pool.handOffTimerFired(now: Self.start + .microseconds(200), isReusable: { _ in true }) == [
                .scheduleHandOff(at: Self.start + .microseconds(10) + Self.grace)
            ])
        #expect(pool.handOffTimerFired(now: Self.start + .milliseconds(1), isReusable: { _ in true }) == [.send(1, on: 7)])
        // Its own connect still completes: the connection is kept for the next call.
        #expect(pool.connected(8, now: Self.start + .milliseconds(2)).isEmpty)
    }

    @Test("An idle connection the upstream has closed is closed, not written to")
    func closedByUpstreamIsNotReused() {
        var pool = Self.machine()
        _ = pool.released(7, now: Self.start)
        let actions = pool.request(Self.waiter(1), now: Self.start + .milliseconds(5), isReusable: { _ in false })
        #expect(actions == [.close(7), .connect(deadline: Self.start + .seconds(15))])
    }

    @Test("Idle connections past the idle timeout are closed, by the sweep and when met")
    func idleTimeout() {
        var pool = Self.machine()
        _ = pool.released(7, now: Self.start)
        _ = pool.released(8, now: Self.start + .seconds(3))
        #expect(pool.sweep(now: Self.start + .seconds(4)) == [.close(7)])
        #expect(pool.idleConnections == [8])
        let actions = pool.request(Self.waiter(1), now: Self.start + .seconds(8), isReusable: { _ in true })
        #expect(actions == [.close(8), .connect(deadline: Self.start + .seconds(15))])
    }

    @Test("More idle connections than allowed: the oldest is closed")
    func maxIdle() {
        var pool = Self.machine(maxIdle: 2)
        #expect(pool.released(1, now: Self.start).isEmpty)
        #expect(pool.released(2, now: Self.start).isEmpty)
        #expect(pool.released(3, now: Self.start) == [.close(1)])
    }

    @Test("A call past its deadline is failed as not sent: at once, or when a connection comes")
    func deadlines() {
        var pool = Self.machine()
        #expect(
            pool.request(Self.waiter(1, deadline: .zero), now: Self.start, isReusable: { _ in true }) == [
                .fail(1, .notSentInTime)
            ])
        _ = pool.request(Self.waiter(2, deadline: .milliseconds(10)), now: Self.start, isReusable: { _ in true })
        _ = pool.request(Self.waiter(3), now: Self.start, isReusable: { _ in true })
        #expect(pool.connected(9, now: Self.start + .milliseconds(20)) == [.fail(2, .notSentInTime), .send(3, on: 9)])
    }

    @Test("A failed connect is retried once for a call that allows it, then fails it; a deadline cut is 'not sent in time'")
    func connectFailures() {
        var pool = Self.machine()
        _ = pool.request(Self.waiter(1), now: Self.start, isReusable: { _ in true })
        #expect(pool.connectFailed(.connectFailed, now: Self.start) == [.connect(deadline: Self.start + .seconds(15))])
        #expect(pool.connectFailed(.connectFailed, now: Self.start) == [.fail(1, .connectFailed)])
        _ = pool.request(Self.waiter(2, deadline: .seconds(1), retry: false), now: Self.start, isReusable: { _ in true })
        #expect(pool.connectFailed(.connectFailed, now: Self.start + .seconds(2)) == [.fail(2, .notSentInTime)])
    }

    @Test("A waiting call whose caller went away leaves unsent; a call already sent is not touched")
    func cancellation() {
        var pool = Self.machine()
        _ = pool.request(Self.waiter(1), now: Self.start, isReusable: { _ in true })
        #expect(pool.cancel(1) == [.fail(1, .cancelled)])
        #expect(pool.cancel(1).isEmpty)
        // Its connect still completes: the connection is kept for the next call.
        #expect(pool.connected(7, now: Self.start).isEmpty)
        #expect(pool.idleConnections == [7])
    }

    @Test("Shutdown closes idle connections and fails waiting calls as not sent")
    func shutdown() {
        var pool = Self.machine()
        _ = pool.request(Self.waiter(1), now: Self.start, isReusable: { _ in true })
        _ = pool.released(7, now: Self.start)
        #expect(pool.shutdown() == [.close(7), .fail(1, .connectFailed)])
        #expect(pool.request(Self.waiter(2), now: Self.start, isReusable: { _ in true }) == [.fail(2, .connectFailed)])
    }
}
