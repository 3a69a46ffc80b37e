import NIOCore

/// Runs Swift concurrency jobs on one NIO event loop.
///
/// A task started with it as its executor preference runs on the event loop of the connection it
/// serves, and resuming it when an event-loop future of that loop completes costs no thread hop:
/// a call is read, sent upstream, answered and written on one thread, as in nginx.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}

/// One ``EventLoopTaskExecutor`` per event loop of a group, made once.
final class EventLoopTaskExecutors: Sendable {
    private let byLoop: [ObjectIdentifier: EventLoopTaskExecutor]

    init(group: any EventLoopGroup) {
        var byLoop: [ObjectIdentifier: EventLoopTaskExecutor] = [:]
        for loop in group.makeIterator() {
            byLoop[ObjectIdentifier(loop)] = EventLoopTaskExecutor(loop)
        }
        self.byLoop = byLoop
    }

    /// The executor of `loop`; a loop outside the group gets one of its own.
    func executor(for loop: any EventLoop) -> EventLoopTaskExecutor {
        byLoop[ObjectIdentifier(loop)] ?? EventLoopTaskExecutor(loop)
    }
}
