import NIOCore

/// A streamed answer's body as an async sequence fed by the connection's handler, with
/// back-pressure: while the caller's side has enough buffered, the handler stops reading the
/// upstream's socket.
enum UpstreamResponseBody {
    typealias Sequence = NIOThrowingAsyncSequenceProducer<
        ByteBuffer, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, Demand
    >
    typealias Source = Sequence.Source

    /// Tells the handler, on its event loop, when the reader wants more and when it stopped reading.
    struct Demand: NIOAsyncSequenceProducerDelegate {
        let eventLoop: any EventLoop
        let changed: @Sendable (_ readerLeft: Bool) -> Void

        func produceMore() {
            let changed = changed
            eventLoop.execute { changed(false) }
        }

        func didTerminate() {
            let changed = changed
            eventLoop.execute { changed(true) }
        }
    }

    /// A new body and the source the handler yields the upstream's body parts into.
    static func make(demand: Demand) -> (Sequence, Source) {
        let made = Sequence.makeSequence(
            elementType: ByteBuffer.self, failureType: (any Error).self,
            backPressureStrategy: .init(lowWatermark: 2, highWatermark: 8), finishOnDeinit: false, delegate: demand
        )
        return (made.sequence, made.source)
    }
}
