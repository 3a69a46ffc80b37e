extension UsageRecord {
    /// What one line of a usage log holds.
    package enum LineContent: Sendable, Equatable {
        /// A usage record.
        case record(UsageRecord)
        /// A well-formed record with an outcome this version does not know (a newer shim's, a foreign
        /// log's): not read as a call, but counted apart from unreadable lines so a report can say so.
        case unknownOutcome(String)
        /// Not a usage record: a torn or blank line, something else.
        case unreadable
    }

    /// Reads a line written by ``jsonLine(into:)`` (without its newline), the inverse of writing.
    ///
    /// `ts`, `client` and `outcome` are required; a missing `requestId` reads as empty, a missing
    /// `latencyMs` as 0, missing optional fields as absent, and unknown keys are skipped (older and
    /// newer logs stay readable). An unknown `wouldReject` value reads as absent.
    package static func read(jsonLine bytes: UnsafeRawBufferPointer) -> LineContent {
        var scanner = FlatObjectScanner(bytes)
        var timestamp: Int64?
        var client: String?
        var outcomeRange: Range<Int>?
        var record = UsageRecord(timestampMilliseconds: 0, requestId: "", client: "", outcome: .issued, latencyMilliseconds: 0)
        guard scanner.consume(UInt8(ascii: "{")), !scanner.consume(UInt8(ascii: "}")) else { return .unreadable }
        repeat {
            guard let key = scanner.key() else { return .unreadable }
            let readable: Bool
            switch key.count {
            case 2 where scanner.isKey(key, "ts"):
                guard let (range, _) = scanner.rawString() else { return .unreadable }
                timestamp = RFC3339.milliseconds(scanner.slice(range))
                readable = timestamp != nil
            case 6 where scanner.isKey(key, "client"):
                client = scanner.string()
                readable = client != nil
            case 7 where scanner.isKey(key, "outcome"):
                outcomeRange = scanner.rawString()?.range
                readable = outcomeRange != nil
            case 9 where scanner.isKey(key, "requestId"):
                guard let value = scanner.string() else { return .unreadable }
                record.requestId = value
                readable = true
            case 8 where scanner.isKey(key, "customer"): readable = scanner.optionalString(&record.customer)
            case 9 where scanner.isKey(key, "programId"): readable = scanner.optionalInteger(&record.programId)
            case 11 where scanner.isKey(key, "promotionId"): readable = scanner.optionalInteger(&record.promotionId)
            case 6 where scanner.isKey(key, "source"): readable = scanner.optionalString(&record.source)
            case 14 where scanner.isKey(key, "identifierName"): readable = scanner.optionalString(&record.identifierName)
            case 9 where scanner.isKey(key, "userAgent"): readable = scanner.optionalString(&record.userAgent)
            case 10 where scanner.isKey(key, "remoteAddr"): readable = scanner.optionalString(&record.remoteAddress)
            case 5 where scanner.isKey(key, "route"): readable = scanner.optionalString(&record.route)
            case 7 where scanner.isKey(key, "batchId"): readable = scanner.optionalString(&record.batchId)
            case 5 where scanner.isKey(key, "codes"):
                guard let codes = scanner.integers() else { return .unreadable }
                record.codes = codes
                readable = true
            case 14 where scanner.isKey(key, "upstreamStatus"): readable = scanner.optionalInteger(&record.upstreamStatus)
            case 9 where scanner.isKey(key, "batchSize"): readable = scanner.optionalInteger(&record.batchSize)
            case 9 where scanner.isKey(key, "latencyMs"):
                guard let value = scanner.double() else { return .unreadable }
                record.latencyMilliseconds = value
                readable = true
            case 17 where scanner.isKey(key, "upstreamLatencyMs"):
                readable = scanner.optionalDouble(&record.upstreamLatencyMilliseconds)
            case 17 where scanner.isKey(key, "mayHaveBeenIssued"):
                guard let value = scanner.boolean() else { return .unreadable }
                record.mayHaveBeenIssued = value
                readable = true
            case 11 where scanner.isKey(key, "wouldReject"):
                var value: String?
                readable = scanner.optionalString(&value)
                record.wouldReject = value.flatMap(CallOutcome.init(rawValue:))
            default:
                readable = scanner.skipValue()
            }
            guard readable else { return .unreadable }
        } while scanner.consume(UInt8(ascii: ","))
        guard scanner.consume(UInt8(ascii: "}")), scanner.atEnd(), let timestamp, let client, let outcomeRange else {
            return .unreadable
        }
        let outcomeText = String(decoding: scanner.slice(outcomeRange), as: UTF8.self)
        guard let outcome = CallOutcome(rawValue: outcomeText) else { return .unknownOutcome(outcomeText) }
        record.timestampMilliseconds = timestamp
        record.client = client
        record.outcome = outcome
        return .record(record)
    }

    /// Reads a usage-log line (without its newline); `nil` for anything but a record of a known outcome.
    package init?(jsonLine: some Collection<UInt8>) {
        let content =
            jsonLine.withContiguousStorageIfAvailable { Self.read(jsonLine: UnsafeRawBufferPointer($0)) }
            ?? Array(jsonLine).withUnsafeBytes { Self.read(jsonLine: $0) }
        guard case .record(let record) = content else { return nil }
        self = record
    }

    /// The call may have reached the vendor although its answer was a failure: the record says so,
    /// or, in logs written before the record had `mayHaveBeenIssued`, an upstream failure with a
    /// timeout or failure-after-sending code (9911–9915).
    package var isAmbiguous: Bool {
        mayHaveBeenIssued || (outcome == .upstreamFailure && codes.contains { (9911...9915).contains($0) })
    }

    /// The UTC day of the call, in days since 1970-01-01.
    package var dayNumber: Int {
        Int((timestampMilliseconds >= 0 ? timestampMilliseconds : timestampMilliseconds - 86_399_999) / 86_400_000)
    }
}
