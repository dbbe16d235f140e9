import FoundationEssentials
import Glibc
import Wire

/// One finished piece of traced work (P5): a served call, an applied event, a request at
/// the gateway. What ``SpanRecorder`` logs and exports.
public struct Span: Sendable {
    /// OpenTelemetry's span kinds this system makes.
    public enum Kind: Int, Sendable {
        case server = 2
        case consumer = 5
    }

    public let name: String
    public let kind: Kind
    public let trace: TraceContext
    public let parentSpanID: String?
    public let start: Date
    public let end: Date
    public let failed: Bool
    public let attributes: [String: String]

    public init(name: String, kind: Kind, trace: TraceContext, parentSpanID: String?, start: Date, end: Date, failed: Bool, attributes: [String: String] = [:]) {
        self.name = name
        self.kind = kind
        self.trace = trace
        self.parentSpanID = parentSpanID
        self.start = start
        self.end = end
        self.failed = failed
        self.attributes = attributes
    }
}
