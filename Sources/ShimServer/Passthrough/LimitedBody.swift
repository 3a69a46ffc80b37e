public import Hummingbird
public import NIOCore
import Synchronization

/// The passthrough request body as the upstream client reads it: it fails once more than `limit`
/// bytes have streamed through (an endless chunked upload is cut off, and ``exceeded`` tells that
/// failure from others), and it reports when the client has stopped reading it.
///
/// The second matters because the caller's body and the connection's next request share one
/// inbound stream: the response must not go back, letting the server read on, while the upstream
/// client is still reading the body (two readers of one stream is a crash).
public final class LimitedBody: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer

    private let base: RequestBody
    private let limit: Int
    private let overLimit = Atomic<Bool>(false)
    private let reading = Mutex<ReadingState>(.notStarted)

    private enum ReadingState {
        case notStarted
        case reading(waiters: [CheckedContinuation<Void, Never>])
        case done
    }

    public init(base: RequestBody, limit: Int) {
        self.base = base
        self.limit = limit
    }

    /// Whether the body went over the limit.
    public var exceeded: Bool { overLimit.load(ordering: .relaxed) }

    /// The error that ends an over-long body.
    public struct LimitExceeded: Error {}

    /// Returns once nobody reads the body any more: it was never read, or its reader finished,
    /// failed or went away.
    public func readingEnded() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow: Bool = reading.withLock { state in
                switch state {
                case .notStarted, .done:
                    return true
                case .reading(var waiters):
                    waiters.append(continuation)
                    state = .reading(waiters: waiters)
                    return false
                }
            }
            if resumeNow { continuation.resume() }
        }
    }

    fileprivate func startReading() {
        reading.withLock { state in
            if case .notStarted = state { state = .reading(waiters: []) }
        }
    }

    fileprivate func endReading() {
        let waiters: [CheckedContinuation<Void, Never>] = reading.withLock { state in
            defer { state = .done }
            if case .reading(let waiters) = state { return waiters }
            return []
        }
        waiters.forEach { $0.resume() }
    }

    /// Ends the reading when the iterator goes away, whatever way its reader stopped.
    fileprivate final class Reader: Sendable {
        let owner: LimitedBody

        init(owner: LimitedBody) {
            self.owner = owner
            owner.startReading()
        }

        deinit { owner.endReading() }
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator
        fileprivate let reader: Reader
        var seen = 0

        public mutating func next() async throws -> ByteBuffer? {
            let chunk: ByteBuffer?
            do {
                chunk = try await base.next()
            } catch {
                reader.owner.endReading()
                throw error
            }
            guard let chunk else {
                reader.owner.endReading()
                return nil
            }
            seen += chunk.readableBytes
            if seen > reader.owner.limit {
                reader.owner.overLimit.store(true, ordering: .relaxed)
                reader.owner.endReading()
                throw LimitExceeded()
            }
            return chunk
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), reader: Reader(owner: self))
    }
}
