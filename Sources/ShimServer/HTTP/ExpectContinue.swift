import HTTPTypes
package import Hummingbird
package import NIOCore

/// `Expect: 100-continue`, answered by the shim, which owns the hop to the caller (the upstream
/// client frames its own request, and `Expect` is not forwarded).
///
/// As Go's `net/http` server does, `100 Continue` is written when the shim first reads the body: a
/// request answered on its head alone (413 for a declared length over the limit, 405, 503) never
/// invites a body it will not read. ``RequestReadHandler`` writes the interim answer, in order with
/// any earlier answer still being written on the connection.
package enum ExpectContinue {
    /// Outbound event: the shim is about to read the body of the request in progress.
    package struct Requested: Sendable {
        /// The event; it carries nothing.
        package init() {}
    }

    /// Whether a request head asks for `100 Continue` (the only expectation HTTP/1.1 defines).
    static func isRequested(by head: HTTPRequest) -> Bool {
        guard let value = head.headerFields[.expect] else { return false }
        return value.lowercased() == "100-continue"
    }

    /// `request` with a body that asks for `100 Continue` on its first read, when the caller expects one.
    package static func preparing(_ request: Request, channel: any Channel) -> Request {
        guard isRequested(by: request.head) else { return request }
        var request = request
        request.body = RequestBody(asyncSequence: Body(base: request.body, channel: channel))
        return request
    }

    /// The request body, asking for `100 Continue` before its first read.
    struct Body: AsyncSequence, Sendable {
        typealias Element = ByteBuffer
        let base: RequestBody
        let channel: any Channel

        func makeAsyncIterator() -> Iterator {
            Iterator(base: base.makeAsyncIterator(), channel: channel)
        }

        struct Iterator: AsyncIteratorProtocol {
            var base: RequestBody.AsyncIterator
            var channel: (any Channel)?

            mutating func next() async throws -> ByteBuffer? {
                if let channel {
                    self.channel = nil
                    // A channel without the handler (in-process tests) refuses the event: nothing to answer then.
                    try? await channel.triggerUserOutboundEvent(Requested()).get()
                }
                return try await base.next()
            }
        }
    }
}
