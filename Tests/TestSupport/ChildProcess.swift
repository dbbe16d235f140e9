import CSpawn
import Foundation
import Glibc
import Synchronization

/// A process a test starts (a service, python's SMTP server, openssl, a shell), with
/// posix_spawn rather than Foundation's Process: see CSpawn.h for why.
public final class ChildProcess: Sendable {
    public let pid: pid_t
    public let path: String
    /// The exit status once reaped: the code it exited with, or the signal that ended it.
    private let reaped = Mutex<Int32?>(nil)

    /// Starts `path` with `arguments` and exactly `environment`; its stdout and stderr are
    /// appended to `output` and `errorOutput` (discarded when nil).
    public init(path: String, arguments: [String] = [], environment: [String: String], output: String? = nil, errorOutput: String? = nil) throws {
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv + envp { free(pointer) }
        }
        var pid: pid_t = 0
        let rc = cspawn_start(&pid, path, argv, envp, output, errorOutput)
        guard rc == 0 else { throw TestFailure("cannot start \(path): \(String(cString: strerror(rc)))") }
        self.pid = pid
        self.path = path
    }

    public func signal(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// Whether it has not exited yet; reaps it once it has.
    public var isRunning: Bool {
        reaped.withLock { status in
            guard status == nil else { return false }
            var raw: Int32 = 0
            guard waitpid(pid, &raw, WNOHANG) == pid else { return true }
            // WIFEXITED / WEXITSTATUS / WTERMSIG, which Glibc's macros do not export.
            let signal = raw & 0x7f
            status = signal == 0 ? (raw >> 8) & 0xff : signal
            return false
        }
    }

    /// Its exit code, or the number of the signal that ended it; -1 while it runs.
    public var terminationStatus: Int32 {
        _ = isRunning
        return reaped.withLock { $0 } ?? -1
    }

    /// Waits (bounded) for it to exit and returns ``terminationStatus``.
    public func waitForExit(within limit: Duration = .seconds(20)) async throws -> Int32 {
        let deadline = ContinuousClock.now + limit
        while isRunning {
            guard ContinuousClock.now < deadline else { throw TestFailure("\(path) still running after \(limit)") }
            try await Task.sleep(for: .milliseconds(5))
        }
        return terminationStatus
    }

    /// A test that ends early leaves nothing running behind it.
    deinit {
        if isRunning {
            kill(pid, SIGKILL)
            waitpid(pid, nil, 0)
        }
    }
}
