import FoundationEssentials
import Glibc
import Wire

/// Where a process's finished spans go (P5): a `span` line in its log for each span of a
/// sampled trace (flag 01), and, when a collector is configured, OTLP export in batches
/// (``OTLPExporter``). Unsampled traces cost nothing here: their ids are only in the
/// lines the process writes anyway.
public struct SpanRecorder: Sendable {
    let logger: Logger
    public let exporter: OTLPExporter?

    public init(logger: Logger, exporter: OTLPExporter? = nil) {
        self.logger = logger
        self.exporter = exporter
    }

    public func record(_ span: Span) {
        guard span.trace.sampled else { return }
        var fields = span.attributes
        fields["trace_id"] = span.trace.traceID
        fields["span_id"] = span.trace.spanID
        if let parent = span.parentSpanID { fields["parent_span_id"] = parent }
        fields["name"] = span.name
        fields["duration_us"] = "\(Int64(span.end.timeIntervalSince(span.start) * 1_000_000))"
        if span.failed { fields["failed"] = "true" }
        logger.info("span", fields)
        exporter?.add(span)
    }
}
