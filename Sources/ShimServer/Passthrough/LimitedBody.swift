package import Hummingbird
package import NIOCore
import Synchronization

/// The passthrough request body as the upstream client reads it: it fails once more than `limit`
/// bytes have streamed through (an endless chunked upload is cut off, and ``exceeded`` tells that
/// failure from others), and it can be detached from its reader once the answer is in.
///
/// Detaching matters because the caller's body and the connection's next request share one
/// inbound stream: once the response has gone back the server reads on from that stream, so the
/// upstream client must not be reading it any more (two readers of one stream is a crash). An
/// upstream may answer before it has read the whole body, and the client may then hold its
/// iterator without ever asking again, so the passthrough does not wait for it to let go:
/// ``detach(waitingAtMost:)`` waits only for a read in progress, and every later read fails.
package final class LimitedBody: AsyncSequence, Sendable {
    /// A chunk of the caller's body.
    package typealias Element = ByteBuffer

    private let base: RequestBody
    private let limit: Int
    private let overLimit = Atomic<Bool>(false)
    private let state = Mutex(ReadState())

    private struct ReadState {
        /// A call to the caller's body stream is in progress.
        var reading = false
        /// No more reads are let through.
        var detached = false
        /// ``detach(waitingAtMost:)`` waiting for the read in progress to return.
        var waiter: CheckedContinuation<Void, Never>?
    }

    /// Wraps the caller's body; reading past `limit` bytes fails.
    package init(base: RequestBody, limit: Int) {
        self.base = base
        self.limit = limit
    }

    /// Whether the body went over the limit.
    package var exceeded: Bool { overLimit.load(ordering: .relaxed) }

    /// The error that ends an over-long body.
    package struct LimitExceeded: Error {}

    /// The error a read gets once the body has been detached.
    package struct Detached: Error {}

    /// Lets no further read through to the caller's stream and waits, at most `limit`, for a read
    /// in progress to return. Returns whether nothing reads the stream any more; on `false` the
    /// caller must close the connection rather than let the server read on. Call it once.
    package func detach(waitingAtMost limit: Duration) async -> Bool {
        let reading = state.withLock { state in
            state.detached = true
            return state.reading
        }
        guard reading else { return true }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await self.readInProgressReturned()
                return true
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    /// Returns when no read is in progress, or when the task is cancelled.
    private func readInProgressReturned() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    guard state.reading, !Task.isCancelled else { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }

    /// Reads the next chunk of the caller's stream, unless the body has been detached.
    fileprivate func read(_ iterator: inout RequestBody.AsyncIterator) async throws -> ByteBuffer? {
        let allowed = state.withLock { state in
            guard !state.detached else { return false }
            state.reading = true
            return true
        }
        guard allowed else { throw Detached() }
        let result: Result<ByteBuffer?, any Error>
        do {
            result = .success(try await iterator.next())
        } catch {
            result = .failure(error)
        }
        let waiter = state.withLock { state in
            state.reading = false
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
        return try result.get()
    }

    /// Reads the caller's body through the owner, counting bytes against the limit.
    package struct AsyncIterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator
        let owner: LimitedBody
        var seen = 0

        /// The next chunk, or `nil` at the end of the body; throws once the limit is passed or the body is detached.
        package mutating func next() async throws -> ByteBuffer? {
            guard let chunk = try await owner.read(&base) else { return nil }
            seen += chunk.readableBytes
            if seen > owner.limit {
                owner.overLimit.store(true, ordering: .relaxed)
                throw LimitExceeded()
            }
            return chunk
        }
    }

    /// An iterator over the caller's body, counting bytes from zero.
    package func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), owner: self)
    }
}
