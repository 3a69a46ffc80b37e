import NIOCore

/// A passthrough request body as an async sequence fed by the connection's handler, with
/// back-pressure: when the upstream client has enough buffered, the handler stops reading the
/// caller's socket until it asks for more.
enum RequestBodyStream {
    typealias Producer = NIOThrowingAsyncSequenceProducer<
        ByteBuffer, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, Demand
    >
    typealias Source = Producer.Source

    /// Tells the handler, on its event loop, when the reader wants more and when it stopped reading.
    struct Demand: NIOAsyncSequenceProducerDelegate {
        let eventLoop: any EventLoop
        let changed: @Sendable (_ wantsMore: Bool) -> Void

        func produceMore() {
            let changed = changed
            eventLoop.execute { changed(true) }
        }

        func didTerminate() {
            let changed = changed
            eventLoop.execute { changed(true) }
        }
    }

    /// A new body and the source the handler yields the caller's body parts into.
    static func make(demand: Demand) -> (Producer, Source) {
        let made = Producer.makeSequence(
            elementType: ByteBuffer.self, failureType: (any Error).self,
            backPressureStrategy: .init(lowWatermark: 2, highWatermark: 8), finishOnDeinit: false, delegate: demand
        )
        return (made.sequence, made.source)
    }
}
