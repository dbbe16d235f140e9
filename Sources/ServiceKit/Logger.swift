import FoundationEssentials
import Glibc
import Sockets
import RPC

/// JSON-lines logs on stderr: one object per line with time, level, service, event and
/// fields (a request id among them when there is one), so any log shipper can read them.
/// A line written while serving a traced call names its trace and span (P5).
public struct Logger: Sendable {
    public enum Level: String, Sendable {
        case debug, info, warn, error
    }

    public let service: String
    private let write: @Sendable (String) -> Void

    /// Lines go to stderr unless `write` takes them (a service hosted in a test).
    public init(service: String, write: @escaping @Sendable (String) -> Void = { StandardStream.error.write($0) }) {
        self.service = service
        self.write = write
    }

    public func log(_ level: Level, _ event: String, _ fields: [String: String] = [:]) {
        var line = "{\"time\":\"\(Self.timestamp())\",\"level\":\"\(level.rawValue)\",\"service\":\(Self.quoted(service)),\"event\":\(Self.quoted(event))"
        var fields = fields
        if let trace = CallPropagation.inherited?.trace, fields["trace_id"] == nil {
            fields["trace_id"] = trace.traceID
            fields["span_id"] = trace.spanID
        }
        for key in fields.keys.sorted() { line += ",\(Self.quoted(key)):\(Self.quoted(fields[key]!))" }
        line += "}\n"
        write(line)
    }

    public func info(_ event: String, _ fields: [String: String] = [:]) { log(.info, event, fields) }
    public func warn(_ event: String, _ fields: [String: String] = [:]) { log(.warn, event, fields) }
    public func error(_ event: String, _ fields: [String: String] = [:]) { log(.error, event, fields) }

    static func timestamp() -> String {
        Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// A JSON string literal for `text`.
    public static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += "\\u00" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
