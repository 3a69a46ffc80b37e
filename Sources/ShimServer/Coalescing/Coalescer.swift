import HTTPTypes
import Instrumentation
package import Logging
import NIOCore
import ShimCore
import Synchronization
import Tracing

/// Holds legacy calls that can share one bulk request for at most `window`, or until `maxBatch`
/// are waiting, then sends them as one bulk call with one `customers` entry each and hands every
/// caller the entity at its own position. Calls share a batch only when everything but the customer
/// is identical, credentials included; a batch is never retried once sent.
package final class Coalescer<U: Upstream>: Sendable {
    /// Everything but the customer: calls with equal keys may share a bulk request.
    struct BatchKey: Hashable, Sendable {
        var credentials: [String]
        var programId: Int64
        var promotionId: Int64
        var identifierName: String
        var path: String
        var bulkAction: String
    }

    /// What one caller of a batch gets.
    package struct Share: Sendable {
        /// The caller's answer: its entity of the batch's bulk answer, or a failure.
        package var reply: LegacyCallOutcome.Reply
        /// The batch that carried the call; empty when the call was never sent.
        package var batchId: String
        /// How many calls the batch carried; 0 when the call was never sent.
        package var batchSize: Int
        /// The HTTP status of the batch's bulk answer, if one arrived.
        package var upstreamStatus: Int?
        /// Time the batch's bulk call took; `nil` when the call was never sent.
        package var upstreamLatency: Duration?
    }

    private struct Waiter {
        var id: UInt64
        var customer: BulkRequest.Customer
        var issue: ValidatedIssue
        var deadline: NIODeadline
        var continuation: CheckedContinuation<Share, Never>
        /// The caller's trace context (its server span), which the batch's span links to.
        var trace: ServiceContext?
    }

    private struct Batch {
        var id: String
        var path: String
        var request: BulkRequest
        var headers: HTTPFields
        var waiters: [Waiter] = []
    }

    /// Longest a batch stays open for more calls before it is sent.
    package let window: Duration
    /// Most calls in one batch (1...100); a batch that reaches it is sent at once.
    package let maxBatch: Int
    private let upstream: U
    private let metrics: ShimMetrics?
    private let logger: Logger
    private let open = Mutex<[BatchKey: Batch]>([:])
    private let sequence = Atomic<Int>(0)

    /// A coalescer that sends its batches to `upstream`.
    /// - Parameters:
    ///   - window: Longest a batch stays open for more calls.
    ///   - maxBatch: Most calls per bulk call; clamped to 1...100.
    package init(upstream: U, window: Duration, maxBatch: Int, metrics: ShimMetrics?, logger: Logger) {
        self.upstream = upstream
        self.window = window
        // `ShimConfiguration.validate()` refuses any other value (`--coalesce-max`).
        precondition((1...100).contains(maxBatch), "maxBatch \(maxBatch) is outside 1...100")
        self.maxBatch = maxBatch
        self.metrics = metrics
        self.logger = logger
    }

    /// The batch key's identity part: the caller's credentials (`Authorization`, `X-CAP-API-*`),
    /// never per-call metadata such as a request id, so tagged calls of one integration still share.
    static func identity(of headers: HTTPFields) -> [String] {
        ProxyHeaders.identity(headers).map { "\($0.name.canonicalName): \($0.value)" }.sorted()
    }

    /// Adds a call's customer to the open batch for its key (opening one if needed) and waits for
    /// the batch's answer. A call whose task is cancelled while its batch is still open leaves the
    /// batch and is answered ``LegacyFailure/callerGone`` (never sent); one whose deadline has passed
    /// when the batch goes is answered ``LegacyFailure/notSentInTime`` and left out of it.
    func submit(
        _ request: BulkRequest, path: String, issue: ValidatedIssue, headers: HTTPFields, translator: ResponseTranslator,
        codes: CodeTable, deadline: NIODeadline
    ) async -> Share {
        let key = BatchKey(
            credentials: Self.identity(of: headers),
            programId: request.promotionDetails.programId,
            promotionId: request.promotionDetails.promotionId,
            identifierName: request.identifierName,
            path: path,
            bulkAction: request.bulkAction
        )
        let started = ContinuousClock.now
        let waiterID = UInt64(sequence.wrappingAdd(1, ordering: .relaxed).newValue)
        let trace = ServiceContext.current
        let share = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Share, Never>) in
                let waiter = Waiter(
                    id: waiterID, customer: request.customers[0], issue: issue, deadline: deadline, continuation: continuation,
                    trace: trace
                )
                // Cancelled before it could join: it never joins.
                if Task.isCancelled {
                    continuation.resume(returning: Self.unsent(.callerGone, codes: codes))
                    return
                }
                let (full, opened): (Batch?, String?) = open.withLock { batches in
                    if var batch = batches[key] {
                        batch.waiters.append(waiter)
                        if batch.waiters.count >= maxBatch {
                            batches[key] = nil
                            return (batch, nil)
                        }
                        batches[key] = batch
                        return (nil, nil)
                    }
                    let id = "b\(sequence.wrappingAdd(1, ordering: .relaxed).newValue)"
                    var batchHeaders = headers
                    // The batch's upstream call carries its own id, not its first caller's.
                    batchHeaders[RequestID.capHeader] = nil
                    batchHeaders[RequestID.header] = id
                    // Nor its first caller's trace: it belongs to every caller of the batch.
                    for name in ProxyHeaders.traceContext { batchHeaders[name] = nil }
                    var batch = Batch(id: id, path: path, request: request, headers: batchHeaders)
                    batch.waiters = [waiter]
                    if maxBatch == 1 { return (batch, nil) }
                    batches[key] = batch
                    return (nil, id)
                }
                if let full {
                    Task { await send(full, translator: translator, codes: codes) }
                } else if let opened {
                    Task {
                        try? await Task.sleep(for: window)
                        let due: Batch? = open.withLock { batches in
                            guard let batch = batches[key], batch.id == opened else { return nil }
                            batches[key] = nil
                            return batch
                        }
                        if let due { await send(due, translator: translator, codes: codes) }
                    }
                }
            }
        } onCancel: {
            leave(waiterID, key: key, codes: codes)
        }
        metrics?.recordCoalescingWait(ContinuousClock.now - started, batchSize: share.batchSize)
        return share
    }

    /// A caller left: if its batch is still open, it leaves it unsent.
    private func leave(_ waiterID: UInt64, key: BatchKey, codes: CodeTable) {
        let left: Waiter? = open.withLock { batches in
            guard var batch = batches[key], let index = batch.waiters.firstIndex(where: { $0.id == waiterID }) else {
                return nil
            }
            let waiter = batch.waiters.remove(at: index)
            batches[key] = batch
            return waiter
        }
        left?.continuation.resume(returning: Self.unsent(.callerGone, codes: codes))
    }

    private static func unsent(_ failure: LegacyFailure, codes: CodeTable) -> Share {
        Share(reply: .legacy(LegacyAnswer(failure: failure, codes: codes)), batchId: "", batchSize: 0)
    }

    /// Sends one batch and answers every waiter; never retried once sent.
    private func send(_ due: Batch, translator: ResponseTranslator, codes: CodeTable) async {
        var batch = due
        // A caller whose deadline passed while the batch was open is answered now and not sent.
        let now = NIODeadline.now()
        for waiter in batch.waiters where waiter.deadline <= now {
            waiter.continuation.resume(returning: Self.unsent(.notSentInTime, codes: codes))
        }
        batch.waiters.removeAll { $0.deadline <= now }
        guard !batch.waiters.isEmpty else { return }
        var request = batch.request
        request.customers = batch.waiters.map(\.customer)
        let size = batch.waiters.count
        let started = ContinuousClock.now
        func finish(_ replies: [LegacyCallOutcome.Reply], status: Int?) {
            let latency = ContinuousClock.now - started
            for (waiter, reply) in zip(batch.waiters, replies) {
                waiter.continuation.resume(
                    returning: Share(
                        reply: reply, batchId: batch.id, batchSize: size, upstreamStatus: status, upstreamLatency: latency)
                )
            }
        }
        // One span for the batch's bulk call, in a trace of its own, linked to every caller's span.
        let span = ShimTracing.startClientSpan("bulk batch", context: .topLevel)
        defer { span.end() }
        var headers = batch.headers
        if span.isRecording {
            for waiter in batch.waiters {
                if let trace = waiter.trace { span.addLink(SpanLink(context: trace, attributes: [:])) }
            }
            span.attributes["promo_shim.batch_id"] = batch.id
            span.attributes["promo_shim.batch_size"] = size
            InstrumentationSystem.instrument.inject(span.context, into: &headers, using: HTTPFieldsInjector())
        }
        let response: BufferedUpstreamResponse
        do {
            response = try await upstream.exchange(
                UpstreamRequest(
                    method: .post, target: batch.path, headers: headers,
                    body: .bytes(ByteBuffer(bytes: LegacyJSON.encode(request))), retryOnConnectFailure: true,
                    deadline: batch.waiters.map(\.deadline).min()
                ),
                maxResponseBytes: 4 << 20,
                logger: logger
            )
        } catch {
            let failure = LegacyIssueHandler<U>.failure(for: error)
            finish(Array(repeating: .legacy(LegacyAnswer(failure: failure, codes: codes)), count: size), status: nil)
            return
        }
        metrics?.recordUpstreamLatency(ContinuousClock.now - started, call: "bulk")
        finish(
            LegacyIssueHandler<U>.replies(to: response, issues: batch.waiters.map(\.issue), translator: translator),
            status: response.status.code
        )
    }
}
