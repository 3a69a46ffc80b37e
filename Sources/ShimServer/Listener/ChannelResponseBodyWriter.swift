import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTPTypes

/// Writes a streamed passthrough answer to the caller's connection, one part at a time: the next
/// part is asked of the upstream only once the last one is in the kernel, so a caller that reads
/// slowly holds the upstream to its pace and nothing piles up in the shim.
struct ChannelResponseBodyWriter: ResponseBodyWriter {
    let channel: any Channel

    mutating func write(_ buffer: ByteBuffer) async throws {
        try await channel.writeAndFlush(HTTPResponsePart.body(buffer))
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
        try await channel.writeAndFlush(HTTPResponsePart.end(trailingHeaders))
    }
}
