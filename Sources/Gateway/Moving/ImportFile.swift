import Foundation
import Wire

/// G7: an import's spooled file read a record at a time from an offset, in chunks, so
/// memory stays flat whatever the file's size. A record is a line (NDJSON), or for CSV
/// the lines up to one whose quotes balance (a quoted field may hold line breaks).
struct ImportFile {
    /// The longest record taken; a longer one is refused and skipped.
    static let maximumRecordBytes = 1024 * 1024
    static let chunkBytes = 256 * 1024

    /// One record: its bytes (without the line break), where it starts in the file (its
    /// first line, 1-based) and the offset just after it.
    struct Record {
        var bytes: [UInt8]
        let line: Int64
        let end: Int64
        /// Its last line (a quoted CSV field may span several).
        let lastLine: Int64
        var tooLong = false
    }

    private let handle: FileHandle
    private let quoted: Bool
    private var buffer: [UInt8] = []
    private var start = 0
    private var bufferOffset: Int64
    private var line: Int64
    private var atEnd = false

    /// `quoted`: CSV's rule that a line break inside quotes does not end the record.
    init(path: String, offset: Int64, line: Int64, quoted: Bool) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw RPCError(.failedPrecondition, "the import's file is gone (\(path))")
        }
        try handle.seek(toOffset: UInt64(offset))
        self.handle = handle
        self.quoted = quoted
        bufferOffset = offset
        self.line = line
    }

    func close() { try? handle.close() }

    /// The next record, nil at the end of the file.
    mutating func next() throws -> Record? {
        var record: [UInt8] = []
        var tooLong = false
        var inQuotes = false
        let first = line + 1
        while true {
            if start == buffer.count {
                if atEnd { break }
                bufferOffset += Int64(start)
                buffer = try handle.read(upToCount: Self.chunkBytes).map(Array.init) ?? []
                start = 0
                if buffer.isEmpty {
                    atEnd = true
                    break
                }
            }
            var i = start
            var ended = false
            while i < buffer.count {
                let byte = buffer[i]
                if quoted && byte == UInt8(ascii: "\"") { inQuotes.toggle() }
                if byte == UInt8(ascii: "\n") && !inQuotes {
                    ended = true
                    break
                }
                if byte == UInt8(ascii: "\n") { line += 1 }
                i += 1
            }
            if !tooLong {
                if record.count + (i - start) > Self.maximumRecordBytes {
                    tooLong = true
                    record = []
                } else {
                    record.append(contentsOf: buffer[start..<i])
                }
            }
            if ended {
                start = i + 1
                line += 1
                return finished(record, first: first, tooLong: tooLong)
            }
            start = i
        }
        // The last record may lack its line break.
        guard !record.isEmpty || tooLong else { return nil }
        line += 1
        return finished(record, first: first, tooLong: tooLong)
    }

    private func finished(_ bytes: [UInt8], first: Int64, tooLong: Bool) -> Record {
        var bytes = bytes
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        return Record(bytes: bytes, line: first, end: bufferOffset + Int64(start), lastLine: line, tooLong: tooLong)
    }
}
