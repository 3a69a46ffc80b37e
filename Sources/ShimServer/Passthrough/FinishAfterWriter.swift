import HTTPTypes
import Hummingbird
import NIOCore

/// A response body writer that runs `beforeFinish` before it finishes the response: the
/// passthrough uses it to detach the caller's request body from the upstream client before the
/// server may read the connection's next request (see ``LimitedBody``). An error thrown by
/// `beforeFinish` leaves the response unfinished, and the server closes the connection.
struct FinishAfterWriter: ResponseBodyWriter {
    var parent: any ResponseBodyWriter
    let beforeFinish: @Sendable () async throws -> Void

    mutating func write(_ buffer: ByteBuffer) async throws {
        try await parent.write(buffer)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
        try await beforeFinish()
        try await parent.finish(trailingHeaders)
    }
}
