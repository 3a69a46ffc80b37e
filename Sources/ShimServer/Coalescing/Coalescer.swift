import Foundation
import HTTPTypes
import Logging
import NIOCore
public import ShimCore
import Synchronization

/// Holds legacy calls that can share one bulk request for at most `window`, or until `maxBatch`
/// are waiting, then sends them as one bulk call with one `customers` entry each and hands every
/// caller the entity at its own position. Calls share a batch only when everything but the customer
/// is identical, credentials included; a batch is never retried once sent.
public final class Coalescer<U: Upstream>: Sendable {
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
    public struct Share: Sendable {
        public var reply: LegacyCallOutcome.Reply
        public var batchId: String
        public var batchSize: Int
        public var upstreamStatus: Int?
        public var upstreamLatency: Duration?
    }

    private struct Waiter {
        var customer: BulkRequest.Customer
        var issue: ValidatedIssue
        var continuation: CheckedContinuation<Share, Never>
    }

    private struct Batch {
        var id: String
        var path: String
        var request: BulkRequest
        var headers: HTTPFields
        var waiters: [Waiter] = []
    }

    public let window: Duration
    public let maxBatch: Int
    private let upstream: U
    private let metrics: ShimMetrics?
    private let logger: Logger
    private let open = Mutex<[BatchKey: Batch]>([:])
    private let sequence = Atomic<Int>(0)

    public init(upstream: U, window: Duration, maxBatch: Int, metrics: ShimMetrics?, logger: Logger) {
        self.upstream = upstream
        self.window = window
        self.maxBatch = min(max(1, maxBatch), 100)
        self.metrics = metrics
        self.logger = logger
    }

    /// Adds a call's customer to the open batch for its key (opening one if needed) and waits for
    /// the batch's answer.
    func submit(
        _ request: BulkRequest, path: String, issue: ValidatedIssue, headers: HTTPFields, translator: ResponseTranslator,
        codes: CodeTable
    ) async -> Share {
        let key = BatchKey(
            credentials: headers.filter { $0.name == .authorization || $0.name.canonicalName.hasPrefix("x-cap-") }
                .map { "\($0.name.canonicalName): \($0.value)" }.sorted(),
            programId: request.promotionDetails.programId,
            promotionId: request.promotionDetails.promotionId,
            identifierName: request.identifierName,
            path: path,
            bulkAction: request.bulkAction
        )
        let started = ContinuousClock.now
        let share = await withCheckedContinuation { (continuation: CheckedContinuation<Share, Never>) in
            let waiter = Waiter(customer: request.customers[0], issue: issue, continuation: continuation)
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
                var batch = Batch(id: id, path: path, request: request, headers: headers)
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
        metrics?.recordCoalescingWait(ContinuousClock.now - started, batchSize: share.batchSize)
        return share
    }

    /// Sends one batch and answers every waiter; never retried once sent.
    private func send(_ batch: Batch, translator: ResponseTranslator, codes: CodeTable) async {
        var request = batch.request
        request.customers = batch.waiters.map(\.customer)
        let size = batch.waiters.count
        let started = ContinuousClock.now
        func finish(_ replies: [LegacyCallOutcome.Reply], status: Int?) {
            let latency = ContinuousClock.now - started
            for (waiter, reply) in zip(batch.waiters, replies) {
                waiter.continuation.resume(
                    returning: Share(reply: reply, batchId: batch.id, batchSize: size, upstreamStatus: status, upstreamLatency: latency)
                )
            }
        }
        func all(_ failure: LegacyFailure, status: Int?) {
            finish(Array(repeating: .legacy(LegacyAnswer(failure: failure, codes: codes)), count: size), status: status)
        }
        let response: BufferedUpstreamResponse
        do {
            response = try await upstream.exchange(
                UpstreamRequest(
                    method: .post, target: batch.path, headers: batch.headers,
                    body: .bytes(ByteBuffer(bytes: LegacyJSON.encode(request))), retryOnConnectFailure: true
                ),
                maxResponseBytes: 4 << 20,
                logger: logger
            )
        } catch {
            all(LegacyIssueHandler<U>.failure(for: error), status: nil)
            return
        }
        metrics?.recordUpstreamLatency(ContinuousClock.now - started, call: "bulk")
        let status = response.status.code
        if response.status == .unauthorized || response.status == .forbidden {
            finish(Array(repeating: .relayed(response), count: size), status: status)
            return
        }
        if status >= 500 { return all(.upstreamServerError, status: status) }
        guard let bulk = BulkResponse(body: response.body.readableBytesView) else {
            return all(.upstreamInvalidResponse, status: status)
        }
        guard bulk.entities.count == size else { return all(.upstreamEntityCountMismatch, status: status) }
        // The vendor answers in the order of `customers`: position i is waiter i's.
        let replies = zip(bulk.entities, batch.waiters).map { entity, waiter in
            LegacyCallOutcome.Reply.legacy(translator.answer(for: entity, issue: waiter.issue))
        }
        finish(replies, status: status)
    }
}
