import Glibc
import Wire

/// A handed-off shard's copy (T12), read in chunks by the new owner and written by it
/// chunk by chunk, with the system calls: Foundation's FileHandle is not in
/// FoundationEssentials, and telephony never loads ICU for it (issue 30).
struct ShardCopyFile {
    private let fd: Int32
    let path: String

    /// Up to `length` bytes of the file at `path` from `offset`; nil when there is no file.
    static func read(_ path: String, offset: Int64, length: Int) throws -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: length)
        var filled = 0
        while filled < length {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + filled, length - filled, off_t(offset) + off_t(filled)) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw RPCError(.internal, "cannot read \(path): errno \(errno)") }
            if n == 0 { break }
            filled += n
        }
        return Array(bytes[0..<filled])
    }

    /// A new, empty file at `path` (an old one is replaced).
    init(creating path: String) throws {
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw RPCError(.internal, "cannot write \(path): errno \(errno)") }
        self.path = path
    }

    func append(_ bytes: [UInt8]) throws {
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw RPCError(.internal, "cannot write \(path): errno \(errno)") }
            written += n
        }
    }

    /// On disk, then closed.
    func finish() throws {
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw RPCError(.internal, "cannot sync \(path): errno \(errno)") }
    }
}
