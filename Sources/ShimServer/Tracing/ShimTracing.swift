import HTTPTypes
import Instrumentation
package import Logging
import OTel
package import ServiceLifecycle
import Synchronization
import Tracing

/// OpenTelemetry tracing of the shim: off unless the standard environment asks for it.
///
/// `OTEL_TRACES_EXPORTER=otlp` turns it on (OTLP over HTTP; `OTEL_EXPORTER_OTLP_PROTOCOL` picks
/// `http/protobuf`, the default, or `http/json`); `OTEL_EXPORTER_OTLP_ENDPOINT`,
/// `OTEL_TRACES_SAMPLER` (and `_ARG`), `OTEL_SERVICE_NAME` and the other `OTEL_*` variables are read
/// by swift-otel as the OpenTelemetry specification defines them. `OTEL_SDK_DISABLED=true` keeps it
/// off. Without it, the tracing calls on the request path go to swift-distributed-tracing's no-op
/// tracer, and a caller's trace context passes upstream unchanged.
package enum ShimTracing {
    /// Whether ``bootstrap(environment:logger:)`` turned tracing on. The request path reads it on
    /// every call and, with tracing off, opens no span and extracts no context: a no-op span still
    /// cost a task-local binding, the global tracer's lock and two dynamic casts per call.
    package static var isOn: Bool { enabled.load(ordering: .relaxed) }
    private static let enabled = Atomic<Bool>(false)

    /// Whether `environment` turns tracing on.
    package static func isRequested(by environment: [String: String]) -> Bool {
        guard environment["OTEL_SDK_DISABLED"]?.lowercased() != "true" else { return false }
        guard let exporter = environment["OTEL_TRACES_EXPORTER"]?.lowercased() else { return false }
        return exporter == "otlp" || exporter == "console"
    }

    /// Bootstraps the global tracer when the environment asks for tracing, and returns the service
    /// that exports spans (run it in the service group, so the last spans are flushed at shutdown);
    /// `nil` when tracing stays off.
    package static func bootstrap(environment: [String: String], logger: Logger) throws -> (any Service)? {
        guard isRequested(by: environment) else { return nil }
        var configuration = OTel.Configuration.default
        configuration.serviceName = "promo-shim"
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.enabled = true
        let backend = try OTel.makeTracingBackend(configuration: configuration)
        InstrumentationSystem.bootstrap(backend.factory)
        enabled.store(true, ordering: .relaxed)
        logger.notice("tracing on: spans export over OTLP/HTTP (OTEL_* environment)")
        return backend.service
    }

    /// Runs `body` in a server span, a child of the trace context the caller's `headers` carry. With
    /// tracing off, `body` gets a no-op span and nothing is extracted.
    static func withServerSpan<Result>(
        _ name: @autoclosure () -> String, headers: HTTPFields, _ body: (any Span) async -> Result
    ) async -> Result {
        guard isOn else { return await body(NoOpTracer.NoOpSpan(context: .topLevel)) }
        var context = ServiceContext.topLevel
        InstrumentationSystem.instrument.extract(headers, into: &context, using: HTTPFieldsExtractor())
        return await withSpan(name(), context: context, ofKind: .server) { span in await body(span) }
    }

    /// A client span for an upstream call, a child of the current context or of `context`; a no-op
    /// span with tracing off. End it with `end()`.
    static func startClientSpan(_ name: String, context: ServiceContext? = nil) -> any Span {
        guard isOn else { return NoOpTracer.NoOpSpan(context: .topLevel) }
        if let context { return startSpan(name, context: context, ofKind: .client) }
        return startSpan(name, ofKind: .client)
    }
}
