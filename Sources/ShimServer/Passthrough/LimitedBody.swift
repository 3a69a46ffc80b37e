public import Hummingbird
public import NIOCore
import Synchronization

/// A request body that fails once more than `limit` bytes have streamed through, so an endless
/// chunked upload is cut off instead of relayed. ``exceeded`` tells the failure from others.
public final class LimitedBody: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer

    private let base: RequestBody
    private let limit: Int
    private let overLimit = Atomic<Bool>(false)

    public init(base: RequestBody, limit: Int) {
        self.base = base
        self.limit = limit
    }

    /// Whether the body went over the limit.
    public var exceeded: Bool { overLimit.load(ordering: .relaxed) }

    /// The error that ends an over-long body.
    public struct LimitExceeded: Error {}

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator
        let owner: LimitedBody
        var seen = 0

        public mutating func next() async throws -> ByteBuffer? {
            guard let chunk = try await base.next() else { return nil }
            seen += chunk.readableBytes
            if seen > owner.limit {
                owner.overLimit.store(true, ordering: .relaxed)
                throw LimitExceeded()
            }
            return chunk
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), owner: self)
    }
}
