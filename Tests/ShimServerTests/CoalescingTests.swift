import Foundation
import HTTPTypes
import NIOCore
import ShimCore
import ShimServer
import Testing

/// Coalescing: concurrent legacy calls that can share a bulk request become one real bulk call.
/// In process (the legacy endpoint over an in-memory upstream): which calls share a batch and what
/// each caller gets do not live on the wire. The batch deadline is the upstream client's, so the
/// timeout is tested over sockets.
@Suite("Coalescing", .timeLimit(.minutes(2)))
struct CoalescingTests {
    /// An upstream that answers one entity per customer, in order, each with an issualId derived from
    /// the customer's number, so every caller can tell its own result from its neighbours'.
    static func perCustomerUpstream(entitiesDelta: Int = 0) -> InMemoryUpstream {
        InMemoryUpstream { request in
            let customers = request.jsonBody?["customers"] as? [[String: Any]] ?? []
            var entities = customers.map { customer in
                let value = customer["identifierValue"] as? String ?? "0"
                return
                    #"{"result":{"entityType":"CUSTOMER","entityId":1,"promotionId":65777,"programId":469,"issualId":"\#(value.suffix(6))","earnedId":"1"},"errors":[],"warnings":[]}"#
            }
            if entitiesDelta < 0 { entities.removeLast(min(entities.count, -entitiesDelta)) }
            return InMemoryUpstream.json(#"{"response":[\#(entities.joined(separator: ","))],"totalCount":\#(entities.count)}"#)
        }
    }

    /// An in-process shim whose batches depart when `max` calls wait, never by the clock: the window
    /// is long (10 s), so the counts hold however slowly a busy machine delivers the calls.
    static func batching(
        _ upstream: InMemoryUpstream, max: Int, configure: (inout ShimConfiguration) -> Void = { _ in }
    ) -> InProcessShim {
        InProcessShim(upstream: upstream) {
            $0.coalesceWindow = .seconds(10)
            $0.coalesceMax = max
            configure(&$0)
        }
    }

    /// The query of customer `customer`'s call.
    static func query(customer: Int) -> String {
        "identifierName=mobile&identifierValue=91\(100_000 + customer)&source=INSTORE"
    }

    static func call(
        _ shim: InProcessShim, customer: Int, promotion: Int = 65777, headers: [(String, String)] = [tillAuthorization]
    ) async -> InProcessAnswer {
        await shim.issue(
            query: query(customer: customer), body: #"{"programId":469,"promotionId":\#(promotion)}"#, headers: headers)
    }

    /// Sends the calls of `customers` at once and returns each customer's answer.
    static func concurrently(
        _ customers: some Sequence<Int>, _ send: @escaping @Sendable (Int) async -> InProcessAnswer
    ) async -> [Int: InProcessAnswer] {
        await withTaskGroup(of: (Int, InProcessAnswer).self) { group in
            for customer in customers { group.addTask { (customer, await send(customer)) } }
            return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
    }

    @Test("N concurrent calls for one promotion become ceil(N/batch) bulk calls, each caller getting its own entity")
    func batches() async throws {
        let upstream = Self.perCustomerUpstream()
        let shim = Self.batching(upstream, max: 10)
        let answers = await Self.concurrently(0..<30) { await Self.call(shim, customer: $0) }
        #expect(answers.count == 30)
        for (customer, answer) in answers {
            #expect(answer.status == 200)
            let issual = (answer.json["sideEffects"] as? [[String: Any]])?.first?["issualId"] as? Int
            #expect(issual == 100_000 + customer, "customer \(customer) got another caller's result")
        }
        let bulkCalls = upstream.requests
        #expect(bulkCalls.count == 3)
        #expect(bulkCalls.map { ($0.jsonBody?["customers"] as? [Any])?.count ?? 0 } == [10, 10, 10])
        let records = try await shim.usageLog().records
        #expect(records.count == 30)
        #expect(Set(records.compactMap { $0["batchId"] as? String }).count == 3)
        #expect(records.allSatisfy { $0["batchSize"] as? Int == 10 })
    }

    @Test("Over the sandbox, which answers in customer order, each caller gets its own outcome from one batch")
    func overTheSandbox() async throws {
        let upstream = InMemoryUpstream.sandbox()
        let shim = Self.batching(upstream, max: 4)
        let customers = ["918888888888", "910000000000", "917777777777", "919999999999"]
        let answers = await Self.concurrently(customers.indices) {
            await shim.issue(query: "identifierName=mobile&identifierValue=\(customers[$0])&source=INSTORE")
        }
        #expect(answers[0]?.status == 200)
        #expect(answers[2]?.status == 200)
        #expect(answers[1]?.errorCodes == [8015])
        #expect(answers[3]?.errorCodes == [8899])
        #expect(upstream.requests.count == 1)
        let records = try await shim.usageLog().records
        #expect(records.count == 4)
        #expect(Set(records.compactMap { $0["batchId"] as? String }).count == 1)
        #expect(records.allSatisfy { $0["batchSize"] as? Int == 4 })
    }

    @Test("Different credentials or promotions never share a bulk request")
    func neverMixed() async throws {
        let upstream = Self.perCustomerUpstream()
        let pos = ("Authorization", "Basic " + Data("pos:secret".utf8).base64EncodedString())
        // Four keys (credentials x promotion) of four calls each; a batch departs when it holds four.
        let shim = Self.batching(upstream, max: 4)
        let answers = await Self.concurrently(0..<16) { customer in
            await Self.call(
                shim, customer: customer, promotion: customer % 2 == 0 ? 65777 : 65780,
                headers: [customer / 2 % 2 == 0 ? pos : tillAuthorization]
            )
        }
        #expect(answers.values.allSatisfy { $0.status == 200 })
        let requests = upstream.requests
        #expect(requests.count == 4)
        for request in requests {
            let customers = (request.jsonBody?["customers"] as? [[String: Any]] ?? []).compactMap {
                $0["identifierValue"] as? String
            }
            let numbers = customers.compactMap { Int($0.suffix(6)) }.map { $0 - 100_000 }
            let promotion = (request.jsonBody?["promotionDetails"] as? [String: Any])?["promotionId"] as? Int
            #expect(Set(numbers.map { $0 % 2 == 0 ? 65777 : 65780 }) == [promotion ?? 0])
            let isPos = request.headers[.authorization] == pos.1
            #expect(numbers.count == 4)
            #expect(numbers.allSatisfy { ($0 / 2 % 2 == 0) == isPos })
        }
    }

    /// A bulk answer that cannot be shared out among a batch's callers.
    struct UnusableAnswer: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var upstream: @Sendable () -> InMemoryUpstream
        var batchSize: Int
        var code: Int
    }

    @Test(
        "A batch whose answer cannot be shared out fails every caller cleanly, and nothing is retried",
        arguments: [
            UnusableAnswer(
                testDescription: "the wrong number of entities", upstream: { perCustomerUpstream(entitiesDelta: -1) },
                batchSize: 4, code: 9914
            ),
            UnusableAnswer(
                testDescription: "garbage", upstream: { InMemoryUpstream { _ in InMemoryUpstream.json("<html>") } },
                batchSize: 3, code: 9913
            ),
        ]
    )
    func unusableAnswerFailsTheBatch(answer: UnusableAnswer) async {
        let upstream = answer.upstream()
        let shim = Self.batching(upstream, max: answer.batchSize)
        let answers = await Self.concurrently(0..<answer.batchSize) { await Self.call(shim, customer: $0) }
        #expect(answers.count == answer.batchSize)
        #expect(answers.values.allSatisfy { $0.status == 502 && $0.errorCodes == [answer.code] })
        #expect(upstream.requests.count == 1)
    }

    @Test("A batch that times out fails every caller with 504, once (over sockets: the deadline is the upstream client's)")
    func timeoutFailsTheBatch() async throws {
        // The vendor answers only once the test has its answers: the batch outlives every deadline.
        let release = AsyncStream<Void>.makeStream()
        let upstream = RecordingUpstream { _ in
            for await _ in release.stream {}
            return RecordingUpstream.json(RecordingUpstream.bulkSuccess)
        }
        try await upstream.withShim(
            configure: {
                // The batch departs when it holds all three calls; the deadline is long enough for
                // all three to arrive on a loaded machine.
                $0.coalesceWindow = .milliseconds(5900)
                $0.coalesceMax = 3
                $0.timeouts.request = .seconds(6)
            }
        ) { shim in
            // Released however the calls end: a vendor still holding a request would keep the test's
            // upstream from stopping.
            defer { release.continuation.finish() }
            let answers = try await withThrowingTaskGroup(of: TestResponse.self) { group in
                for customer in 0..<3 {
                    group.addTask {
                        // About the answer, not speed: a loaded machine may take long to give it.
                        try await issue(shim.proxyURL, query: Self.query(customer: customer), timeout: .seconds(60))
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.allSatisfy { $0.status == 504 && $0.errorCodes == [9911] })
        }
        #expect(upstream.requests.count == 1)
    }

    @Test("The same customer twice in one window is sent as two entries, as two legacy calls would issue twice")
    func sameCustomerTwice() async {
        let upstream = Self.perCustomerUpstream()
        let shim = Self.batching(upstream, max: 2)
        let answers = await Self.concurrently(0..<2) { _ in await Self.call(shim, customer: 7) }
        #expect(answers.count == 2)
        #expect(answers.values.allSatisfy { $0.status == 200 })
        #expect(upstream.requests.count == 1)
        #expect((upstream.requests.first?.jsonBody?["customers"] as? [Any])?.count == 2)
    }

    @Test("The window bounds the added latency of a lone call")
    func windowBoundsLatency() async {
        // A batch that never fills departs when its window ends: well before the 15 s request
        // timeout it would otherwise run into.
        let shim = InProcessShim(upstream: Self.perCustomerUpstream()) { $0.coalesceWindow = .milliseconds(300) }
        let started = ContinuousClock.now
        let answer = await Self.call(shim, customer: 1)
        let elapsed = ContinuousClock.now - started
        #expect(answer.status == 200)
        #expect(elapsed >= .milliseconds(300))
        #expect(elapsed < .seconds(5))
    }

    @Test("A mapping rule can turn coalescing off for a promotion")
    func mappingTurnsItOff() async throws {
        let directory = try MigrationTests.mappingsDirectory(
            routing: "rules:\n  - { name: solo, match: { promotionId: 65780 }, route: translate, coalesce: false }\n"
        )
        let upstream = Self.perCustomerUpstream()
        let shim = Self.batching(upstream, max: 4) { $0.mappings = try! MappingSet(directory: directory) }
        // Four calls that would fill one batch: each goes on its own, at once.
        let answers = await Self.concurrently(0..<4) { await Self.call(shim, customer: $0, promotion: 65780) }
        #expect(answers.values.allSatisfy { $0.status == 200 })
        #expect(upstream.requests.count == 4)
    }

    @Test(
        "Calls tagged with their own X-CAP-REQUEST-ID share a batch: the key is the caller's identity; each record keeps its own id"
    )
    func perCallRequestIdsShareABatch() async throws {
        let upstream = Self.perCustomerUpstream()
        let shim = Self.batching(upstream, max: 6)
        let answers = await Self.concurrently(0..<6) {
            await Self.call(shim, customer: $0, headers: [tillAuthorization, ("X-CAP-REQUEST-ID", "tag-\($0)")])
        }
        #expect(answers.values.allSatisfy { $0.status == 200 })
        #expect(upstream.requests.count == 1)
        let bulk = try #require(upstream.requests.first)
        let records = try await shim.usageLog().records
        #expect(Set(records.compactMap { $0["requestId"] as? String }) == Set((0..<6).map { "tag-\($0)" }))
        // The batch's upstream call carries the batch's own id, not one caller's.
        let batchId = try #require(records.first?["batchId"] as? String)
        #expect(bulk.headers[HTTPField.Name("X-Request-Id")!] == batchId)
        #expect(bulk.headers[HTTPField.Name("X-CAP-REQUEST-ID")!] == nil)
    }
}
