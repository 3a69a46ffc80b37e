import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ShimServer
import Testing

/// Passthrough streams both ways with back-pressure: 100 MB each way through a shim process whose
/// memory stays bounded, and an upstream that stops writing while the caller stops reading.
@Suite("Streaming passthrough", .timeLimit(.minutes(3)))
struct StreamingPassthroughTests {
    static let hundredMegabytes = 100 << 20

    @Test("A 100 MB answer and a 100 MB upload pass through whole while the shim's memory stays bounded")
    func hundredMegabytesEachWay() async throws {
        let upstream = StreamingUpstream()
        try await upstream.run { base in
            try await withShimProcess(arguments: [
                "--upstream", base, "--max-passthrough-body-bytes", String(2 * Self.hundredMegabytes),
            ]) { shim in
                let before = shim.peakResidentMegabytes()
                var download = HTTPClientRequest(url: "\(shim.proxyURL)/bytes/\(Self.hundredMegabytes)")
                download.method = .GET
                let response = try await testClient.execute(download, timeout: .seconds(120))
                #expect(response.status == .ok)
                var downloaded = 0
                for try await part in response.body { downloaded += part.readableBytes }
                #expect(downloaded == Self.hundredMegabytes)
                let afterDownload = shim.peakResidentMegabytes()

                var upload = HTTPClientRequest(url: "\(shim.proxyURL)/upload")
                upload.method = .POST
                let chunk = ByteBuffer(repeating: UInt8(ascii: "y"), count: 1 << 20)
                let chunks = AsyncStream<ByteBuffer> { continuation in
                    for _ in 0..<(Self.hundredMegabytes >> 20) { continuation.yield(chunk) }
                    continuation.finish()
                }
                upload.body = .stream(chunks, length: .known(Int64(Self.hundredMegabytes)))
                let uploaded = try await testClient.execute(upload, timeout: .seconds(120))
                let text = String(buffer: try await uploaded.body.collect(upTo: 1024))
                #expect(uploaded.status == .ok)
                #expect(text == "received=\(Self.hundredMegabytes)")

                let peak = shim.peakResidentMegabytes()
                // 200 MB went through; a shim that buffered either body whole would hold 100 MB more.
                // Each answer part is asked of the upstream only once the last is in the kernel
                // (ChannelResponseBodyWriter), so the growth is a few socket buffers' worth.
                #expect(
                    peak - before < 16,
                    "peak RSS \(before) MB before, \(afterDownload) after the download, \(peak) after the upload")
            }
        }
    }

    @Test("While the caller does not read, the shim stops reading the upstream: the upstream's writes stall")
    func slowReaderBackPressure() async throws {
        let upstream = StreamingUpstream()
        try await upstream.withShim { shim in
            let reader = try await RawConnection(port: shim.proxy, autoRead: false)
            try await reader.write("GET /bytes/\(Self.hundredMegabytes) HTTP/1.1\r\nHost: shim\r\n\r\n")
            // The upstream writes until the buffers on the way (kernel sockets, the shim's
            // in-flight chunks) are full, then stalls; wait until its count stops moving.
            #expect(await eventually { upstream.written > 0 }, "the download never started")
            var last = -1
            while upstream.written != last {
                last = upstream.written
                try await Task.sleep(for: .milliseconds(500))
            }
            #expect(last > 0)
            #expect(last < 48 << 20, "the upstream wrote \(last >> 20) MB to a caller that read nothing")
            await reader.close()
        }
    }

    @Test("A caller that pauses reading for longer than the read timeout still gets the whole answer")
    func pauseLongerThanReadTimeout() async throws {
        let upstream = StreamingUpstream()
        let size = 64 << 20
        // Long enough for an answer's head on a loaded machine; the pause below is several times longer.
        let readTimeout = Duration.seconds(1)
        try await upstream.withShim(configure: { $0.timeouts.read = .seconds(1) }) { shim in
            let reader = try await RawConnection(port: shim.proxy, autoRead: false)
            try await reader.write("GET /bytes/\(size) HTTP/1.1\r\nHost: shim\r\n\r\n")
            // One read at a time until the answer's head is in.
            #expect(
                await eventually {
                    reader.readOnce()
                    return reader.text.hasPrefix("HTTP/1.1 200")
                }, "no answer: \(reader.text.prefix(400))")
            // The buffers on the way fill and the upstream stalls: from then on the shim holds its
            // reads of the upstream for the caller, which is not the upstream's silence.
            var last = -1
            while upstream.written != last {
                last = upstream.written
                try await Task.sleep(for: readTimeout * 2)
            }
            try await Task.sleep(for: readTimeout * 3)
            try await reader.startReading()
            // The answer ends with its last chunk, or is cut short by a close.
            #expect(await eventually(within: .seconds(120)) { reader.endsWith("0\r\n\r\n") || reader.isClosed })
            #expect(reader.endsWith("0\r\n\r\n"), "the answer was cut short after \(reader.byteCount) bytes")
            #expect(reader.byteCount > size)
            await reader.close()
        }
    }
}
