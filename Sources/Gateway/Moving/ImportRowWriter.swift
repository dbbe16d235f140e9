import Contracts
import Foundation
import WebhookHub

/// G7: import rows written as an NDJSON file, the way `switchboard import` sends it: what
/// a reader gets from a provider is on disk before the upload starts, so a failed upload
/// is sent again without asking the provider twice.
public final class ImportRowWriter {
    let handle: FileHandle
    private var buffer: [UInt8] = []
    /// Rows written, by kind.
    public private(set) var counts: [String: Int] = [:]

    public init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw ReaderError("cannot write \(path)")
        }
        self.handle = handle
    }

    public func write(_ row: ImportRow) throws {
        buffer += row.jsonBytes
        buffer.append(UInt8(ascii: "\n"))
        counts[row.kind.name, default: 0] += 1
        if buffer.count > 1 << 20 { try flush() }
    }

    public func close() throws {
        try flush()
        try handle.close()
    }

    private func flush() throws {
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
