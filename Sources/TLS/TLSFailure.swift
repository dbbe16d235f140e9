import CCrypto

/// Why OpenSSL refused: the operation and the library's reasons, oldest first
/// (e.g. "load tls/contacts.key: PEM routines::no start line").
public struct TLSFailure: Error, Sendable, CustomStringConvertible {
    public let operation: String
    /// What OpenSSL said, oldest first; "failed" when it said nothing.
    public let reason: String
    public var description: String { "\(operation): \(reason)" }

    public init(_ operation: String, detail: String? = nil) {
        var reasons: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var text = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &text, text.count)
            // "error:0A000086:SSL routines::certificate verify failed": the words after the codes.
            let line = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            reasons.append(line.split(separator: ":", maxSplits: 2).dropFirst(2).first.map(String.init) ?? line)
        }
        if let detail { reasons.append(detail) }
        self.operation = operation
        reason = reasons.isEmpty ? "failed" : reasons.joined(separator: "; ")
    }
}
