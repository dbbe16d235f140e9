import Foundation
import ServiceKit
import Synchronization

/// One service run by `switchboard up`: started as a child process, its output
/// prefixed with its name, restarted with backoff when it dies unexpectedly.
final class ChildService: @unchecked Sendable {
    let name: String
    let executable: URL
    let environment: [String: String]
    private let lock = NSLock()
    private var process: Process?
    private var stopping = false
    private var restartDelay: Double = 1
    private var startedAt = Date()
    private let listening = Mutex(false)

    init(name: String, executable: URL, environment: [String: String]) {
        self.name = name
        self.executable = executable
        self.environment = environment
    }

    var isListening: Bool { listening.withLock { $0 } }

    func start() throws {
        let process = Process()
        process.executableURL = executable
        // The service stops by itself if this runner is killed without a chance to stop it.
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }.merging(ParentWatch.environment) { $1 }
        process.standardOutput = prefixed(onLine: { [weak self] line in
            if line.contains("\"event\":\"listening\"") { self?.listening.withLock { $0 = true } }
        })
        process.standardError = prefixed(onLine: { _ in })
        process.terminationHandler = { [weak self] finished in self?.exited(finished.terminationStatus) }
        try process.run()
        lock.lock()
        self.process = process
        startedAt = Date()
        lock.unlock()
    }

    /// Copies each line of the child's output to ours as `[name] line`.
    private func prefixed(onLine: @escaping @Sendable (String) -> Void) -> Pipe {
        let pipe = Pipe()
        let pending = Mutex("")
        let name = self.name
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            guard !data.isEmpty else { return }
            let lines = pending.withLock { buffer -> [String] in
                buffer += String(decoding: data, as: UTF8.self)
                var parts = buffer.components(separatedBy: "\n")
                buffer = parts.removeLast()
                return parts
            }
            for line in lines {
                onLine(line)
                FileHandle.standardOutput.write(Data("[\(name)] \(line)\n".utf8))
            }
        }
        return pipe
    }

    private func exited(_ status: Int32) {
        lock.lock()
        let restart = !stopping
        // A child that ran a minute before dying starts again quickly; one that keeps
        // dying waits longer each time, up to 30 s.
        if Date().timeIntervalSince(startedAt) > 60 { restartDelay = 1 }
        let delay = restartDelay
        restartDelay = min(restartDelay * 2, 30)
        lock.unlock()
        listening.withLock { $0 = false }
        guard restart else { return }
        say("\(name) exited with status \(status); restarting in \(Int(delay)) s")
        DispatchQueue.global().asyncAfter(deadline: .now() + delay) { [self] in
            guard !isStopping else { return }
            do { try start() } catch { say("\(name) could not be restarted: \(error)") }
        }
    }

    private var isStopping: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopping
    }

    /// SIGTERM, then waits up to `grace` for the child to exit (SIGKILL after that).
    func stop(grace: TimeInterval) {
        lock.lock()
        stopping = true
        let process = self.process
        lock.unlock()
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            say("\(name) did not stop within \(Int(grace)) s; killing it")
            kill(process.processIdentifier, SIGKILL)
        }
    }
}

/// A line from the runner itself.
func say(_ text: String) {
    FileHandle.standardOutput.write(Data("[switchboard] \(text)\n".utf8))
}
