import Glibc

/// The process's standard output or error, written with write(2): what Foundation's
/// `FileHandle.standardError` did, without Foundation (issue 30: services that need no
/// more than FoundationEssentials never load ICU).
public enum StandardStream: Sendable {
    case output, error

    /// Writes all of `text`; a log line is one write where the pipe takes it whole, so
    /// lines of processes sharing a terminal do not interleave. A closed stream drops it.
    public func write(_ text: String) {
        let fd: Int32 = self == .output ? STDOUT_FILENO : STDERR_FILENO
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += written
        }
    }
}
