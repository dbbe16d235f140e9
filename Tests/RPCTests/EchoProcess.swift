import Foundation
import Synchronization
import Testing

/// A real switchboard-echo process on an ephemeral port, for tests that kill or stop
/// the server. Readiness is the "listening" line it prints, polled with a bound.
final class EchoProcess: Sendable {
    let process: Process
    let port: Int
    private let output: Counter.Text

    static func executable(named name: String) -> URL {
        // `swift test` puts the test bundle next to the package's executables.
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [
            bundleDirectory.appendingPathComponent(name),
            URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".build/debug/\(name)"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    init(arguments: [String] = []) async throws {
        let process = Process()
        process.executableURL = Self.executable(named: "switchboard-echo")
        process.arguments = ["--port", "0"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        let output = Counter.Text()
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if !data.isEmpty { output.append(String(decoding: data, as: UTF8.self)) }
        }
        try process.run()
        self.process = process
        self.output = output
        var port: Int?
        let deadline = ContinuousClock.now + .seconds(20)
        while port == nil && ContinuousClock.now < deadline && process.isRunning {
            let text = output.value
            if let range = text.range(of: "\"port\":") {
                port = Int(text[range.upperBound...].prefix { $0.isNumber })
            }
            if port == nil { try await Task.sleep(for: .milliseconds(5)) }
        }
        guard let port else {
            process.terminate()
            throw TestFailure("switchboard-echo did not report a port within 20 s")
        }
        self.port = port
    }

    var printed: String { output.value }

    func signal(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Waits (bounded) for the process to exit and returns its status.
    func waitForExit(within limit: Duration = .seconds(20)) async throws -> Int32 {
        let deadline = ContinuousClock.now + limit
        while process.isRunning {
            guard ContinuousClock.now < deadline else { throw TestFailure("process still running after \(limit)") }
            try await Task.sleep(for: .milliseconds(5))
        }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Polls `condition` until it holds or `limit` passes.
func eventually(within limit: Duration = .seconds(10), _ condition: () -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + limit
    while !condition() {
        if ContinuousClock.now >= deadline { return false }
        try await Task.sleep(for: .milliseconds(2))
    }
    return true
}

/// A thread-safe count of things seen by handlers running on other threads.
final class Counter: Sendable {
    private let state = Mutex(0)
    var value: Int { state.withLock { $0 } }
    func increment() { state.withLock { $0 += 1 } }

    /// Text collected from another thread (a child process's output).
    final class Text: Sendable {
        private let state = Mutex("")
        var value: String { state.withLock { $0 } }
        func append(_ more: String) { state.withLock { $0 += more } }
    }
}
