public import HTTPTypes
public import Hummingbird
public import NIOCore

/// A response body writer that, before finishing the response, waits for `beforeFinish`: the
/// passthrough uses it to hold the end of a response until the upstream client has let go of the
/// caller's request body (see ``LimitedBody``).
struct FinishAfterWriter: ResponseBodyWriter {
    var parent: any ResponseBodyWriter
    let beforeFinish: @Sendable () async -> Void

    mutating func write(_ buffer: ByteBuffer) async throws {
        try await parent.write(buffer)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
        await beforeFinish()
        try await parent.finish(trailingHeaders)
    }
}
