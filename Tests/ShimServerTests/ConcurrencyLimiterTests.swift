import NIOCore
import Testing

@testable import ShimServer

/// The limiter's rules as a pure state machine, and its shell's deadline and cancellation.
@Suite("Concurrency limiter")
struct ConcurrencyLimiterTests {
    typealias Machine = ConcurrencyLimiter.StateMachine

    @Test("Runs up to the bound, queues up to the queue bound, refuses beyond")
    func admission() {
        var machine = Machine(maxConcurrent: 2, maxQueued: 1)
        #expect(machine.acquire() == .run)
        #expect(machine.acquire() == .run)
        guard case .wait(let waiter) = machine.acquire() else {
            Issue.record("third call should wait")
            return
        }
        #expect(machine.acquire() == .refuse)
        #expect(machine.release() == .grant(waiter))
        #expect(machine.active == 2)
        #expect(machine.release() == .none)
        #expect(machine.release() == .none)
        #expect(machine.active == 0)
    }

    @Test("A waiter that leaves (deadline or caller gone) is never granted; one already granted keeps its slot")
    func leaving() {
        var machine = Machine(maxConcurrent: 1, maxQueued: 2)
        #expect(machine.acquire() == .run)
        guard case .wait(let first) = machine.acquire(), case .wait(let second) = machine.acquire() else {
            Issue.record("calls should wait")
            return
        }
        #expect(machine.leave(first) == .resumeFailed)
        #expect(machine.leave(first) == .none)
        #expect(machine.release() == .grant(second))
        #expect(machine.leave(second) == .none)
        #expect(machine.active == 1)
    }

    @Test("A freed slot goes to a waiter before a newcomer")
    func fairness() {
        var machine = Machine(maxConcurrent: 1, maxQueued: 1)
        #expect(machine.acquire() == .run)
        guard case .wait(let waiter) = machine.acquire() else {
            Issue.record("should wait")
            return
        }
        #expect(machine.release() == .grant(waiter))
        #expect(machine.acquire() == .wait(Machine.WaiterID(raw: 2)))
    }

    /// Runs `body` while the only slot of a one-slot limiter is held, then frees it and checks the
    /// slot is whole again.
    static func withHeldSlot(_ body: (ConcurrencyLimiter) async -> Void) async {
        let limiter = ConcurrencyLimiter(maxConcurrent: 1, maxQueued: 4)
        let (holding, hold) = AsyncStream<Void>.makeStream()
        let (started, start) = AsyncStream<Void>.makeStream()
        let holder = Task {
            await limiter.run {
                start.yield()
                for await _ in holding {}
            }
        }
        for await _ in started { break }
        await body(limiter)
        hold.finish()
        _ = await holder.value
        #expect(await limiter.run { true } == .success(true))
    }

    @Test("A queued call gives up at its deadline and is never run")
    func deadline() async {
        await Self.withHeldSlot { limiter in
            let ranLate = await limiter.run(deadline: .now() + .milliseconds(100)) { true }
            #expect(ranLate == .failure(.deadlinePassed))
        }
    }

    @Test("A queued call whose task is cancelled leaves the queue and is never run")
    func cancellation() async {
        await Self.withHeldSlot { limiter in
            let waiting = Task { await limiter.run { true } }
            waiting.cancel()
            #expect(await waiting.value == .failure(.cancelled))
        }
    }
}
