import FoundationEssentials
import Glibc

/// An opaque position in a list ordered by id: the last id returned. Opaque so callers
/// do not build their own, and so the format can change.
public enum PageCursor {
    public static func encode(afterID id: Int64) -> String {
        Data("after:\(id)".utf8).base64EncodedString()
    }

    /// The id to continue after; nil for a cursor this service did not issue.
    public static func decode(_ cursor: String) -> Int64? {
        guard let data = Data(base64Encoded: cursor), let text = String(data: data, encoding: .utf8),
            text.hasPrefix("after:"), let id = Int64(text.dropFirst(6)), id >= 0
        else { return nil }
        return id
    }
}
