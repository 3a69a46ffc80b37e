import ShimCore

/// The usage log's memory, as a value: records waiting to be written, the batch being written and
/// how much of it reached the destination, with a bound on how many records it holds.
///
/// A batch is written from where the last write stopped, so a write that stops part-way (a disk
/// that fills mid-write) is resumed and never repeated: no duplicate and no torn line. Records past
/// ``capacity`` are dropped and counted instead of growing memory without a bound.
struct UsageBuffer {
    /// Most records held at once: waiting, plus those of the batch not yet completely written.
    let capacity: Int
    /// Records waiting for the next batch.
    private(set) var pending: [UsageRecord] = []
    /// The batch being written: JSON lines, each ending in a newline.
    private(set) var batch: [UInt8] = []
    /// How many bytes of ``batch`` have been written.
    private(set) var written = 0
    /// Lines of ``batch`` not yet completely written.
    private(set) var unwrittenLines = 0
    /// Records dropped because the buffer was full, since start.
    private(set) var dropped = 0

    init(capacity: Int) {
        // `ShimConfiguration.validate()` refuses any other value (`--usage-log-buffer-records`).
        precondition(capacity >= 1, "capacity \(capacity) is below 1")
        self.capacity = capacity
    }

    /// Records held and not yet completely written.
    var unwrittenRecords: Int { pending.count + unwrittenLines }

    /// Whether a new record would be dropped now.
    var isFull: Bool { unwrittenRecords >= capacity }

    /// Whether the destination is between two lines, so it can be reopened without tearing one.
    var isAtLineBoundary: Bool { written == 0 || batch[written - 1] == UInt8(ascii: "\n") }

    /// Keeps `record` for writing, or drops and counts it when the buffer is full.
    /// - Returns: Whether the record was kept.
    mutating func append(_ record: UsageRecord) -> Bool {
        guard !isFull else {
            dropped += 1
            return false
        }
        pending.append(record)
        return true
    }

    /// What to write next: the rest of the current batch, or a new batch of every waiting record;
    /// `nil` when nothing waits. The array is shared, not copied: only ``didWrite(_:)`` changes it.
    mutating func nextWrite() -> (bytes: [UInt8], offset: Int)? {
        if written == batch.count {
            guard !pending.isEmpty else { return nil }
            var writer = JSONWriter(capacity: pending.count * 400)
            for record in pending { record.jsonLine(into: &writer) }
            batch = writer.bytes
            written = 0
            unwrittenLines = pending.count
            pending.removeAll(keepingCapacity: true)
        }
        return (batch, written)
    }

    /// Notes that `count` more bytes of the batch reached the destination.
    mutating func didWrite(_ count: Int) {
        let end = min(batch.count, written + count)
        for index in written..<end where batch[index] == UInt8(ascii: "\n") { unwrittenLines -= 1 }
        written = end
        if written == batch.count {
            batch = []
            written = 0
            unwrittenLines = 0
        }
    }

    /// Gives up on everything not yet written (the shutdown deadline passed).
    /// - Returns: How many records were lost.
    mutating func abandon() -> Int {
        let lost = unwrittenRecords
        pending.removeAll()
        batch = []
        written = 0
        unwrittenLines = 0
        return lost
    }
}
