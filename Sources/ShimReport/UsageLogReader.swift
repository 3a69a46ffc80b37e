import CompressNIO
import Foundation
import NIOCore
import ShimCore

/// Reads usage logs (plain, gzip-compressed, or standard input) into a ``UsageSummary``.
package enum UsageLogReader {
    /// A log that could not be read.
    package struct ReadError: Error, CustomStringConvertible {
        /// What could not be read, and why.
        package var description: String
    }

    /// Reads every source in order: paths, `-` for standard input; `.gz` files are decompressed.
    package static func read(_ sources: [String], into summary: inout UsageSummary) throws {
        for source in sources {
            if source == "-" {
                try readChunks(from: FileHandle.standardInput, into: &summary)
            } else if source.hasSuffix(".gz") {
                guard let data = FileManager.default.contents(atPath: source) else {
                    throw ReadError(description: "cannot read \(source)")
                }
                var compressed = ByteBuffer(bytes: data)
                do {
                    let plain = try compressed.decompress(with: .gzip)
                    var splitter = LineSplitter()
                    plain.withUnsafeReadableBytes { splitter.feed($0, into: &summary) }
                    splitter.finish(into: &summary)
                } catch {
                    throw ReadError(description: "\(source) is not a readable gzip file: \(error)")
                }
            } else {
                guard let handle = FileHandle(forReadingAtPath: source) else {
                    throw ReadError(description: "cannot read \(source)")
                }
                defer { try? handle.close() }
                try readChunks(from: handle, into: &summary)
            }
        }
    }

    /// Reads the first `byteCount` bytes of a plain log: the part written before a given moment.
    package static func read(_ path: String, upTo byteCount: Int, into summary: inout UsageSummary) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ReadError(description: "cannot read \(path)")
        }
        defer { try? handle.close() }
        try readChunks(from: handle, limit: byteCount, into: &summary)
    }

    private static func readChunks(from handle: FileHandle, limit: Int = .max, into summary: inout UsageSummary) throws {
        var splitter = LineSplitter()
        var remaining = limit
        while remaining > 0, let chunk = try handle.read(upToCount: min(1 << 20, remaining)), !chunk.isEmpty {
            remaining -= chunk.count
            chunk.withUnsafeBytes { splitter.feed($0, into: &summary) }
        }
        splitter.finish(into: &summary)
    }
}

/// Splits a byte stream into lines across chunk boundaries and adds each parsed line.
struct LineSplitter {
    private var carry: [UInt8] = []

    mutating func feed(_ bytes: UnsafeRawBufferPointer, into summary: inout UsageSummary) {
        guard let base = bytes.baseAddress else { return }
        var start = 0
        while start < bytes.count, let found = memchr(base + start, Int32(UInt8(ascii: "\n")), bytes.count - start) {
            let index = base.distance(to: UnsafeRawPointer(found))
            if carry.isEmpty {
                add(UnsafeRawBufferPointer(rebasing: bytes[start..<index]), into: &summary)
            } else {
                carry.append(contentsOf: bytes[start..<index])
                carry.withUnsafeBytes { add($0, into: &summary) }
                carry.removeAll(keepingCapacity: true)
            }
            start = index + 1
        }
        carry.append(contentsOf: bytes[start..<bytes.count])
    }

    /// A last line without a newline is read too; a torn one is counted as skipped.
    mutating func finish(into summary: inout UsageSummary) {
        if !carry.isEmpty {
            carry.withUnsafeBytes { add($0, into: &summary) }
            carry.removeAll()
        }
    }

    private func add(_ line: UnsafeRawBufferPointer, into summary: inout UsageSummary) {
        guard !line.isEmpty else { return }
        switch UsageRecord.read(jsonLine: line) {
        case .record(let record): summary.add(record)
        case .unknownOutcome(let outcome): summary.addUnknownOutcome(outcome)
        case .unreadable: summary.skippedLines += 1
        }
    }
}
