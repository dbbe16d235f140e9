import Foundation
import Synchronization

/// A real service process (switchboard-echo, switchboard-contacts, ...) on an ephemeral
/// port, for tests that talk to it over sockets, kill it or stop it. Readiness is the
/// "listening" line it prints, polled with a bound.
public final class ServiceProcess: Sendable {
    public let process: ChildProcess
    public let port: Int
    /// The admin HTTP port, for services that have one (0 otherwise).
    public let adminPort: Int
    /// Where its stdout and stderr go: files, not pipes, so the test process holds no
    /// descriptor per child.
    private let output: URL
    private let errorOutput: URL

    public static func executable(named name: String) -> URL {
        // `swift test` puts the test bundle next to the package's executables.
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [
            bundleDirectory.appendingPathComponent(name),
            URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".build/debug/\(name)"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    /// Launches never overlap a test that holds thousands of descriptors at once: each
    /// launch closes the child's copies of them.
    public static let launches = LaunchGate()

    /// Starts `executable` with `arguments` and `environment` added to ours.
    public init(executable: String, arguments: [String] = [], environment: [String: String] = [:]) async throws {
        // A test run that crashes takes its services with it (they watch this pid:
        // ServiceKit's ParentWatch, which this target does not link).
        // Mutual TLS from the test process's CA, unless the test says otherwise.
        let fullEnvironment = ProcessInfo.processInfo.environment.merging(["SWITCHBOARD_PARENT_PID": "\(getpid())"]) { $1 }
            .merging(TestPKI.environment) { $1 }.merging(environment) { $1 }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("service-output", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let stem = "\(executable)-\(UUID().uuidString)"
        let output = folder.appendingPathComponent(stem + ".out"), errorOutput = folder.appendingPathComponent(stem + ".err")
        guard FileManager.default.createFile(atPath: output.path, contents: nil), FileManager.default.createFile(atPath: errorOutput.path, contents: nil) else {
            throw TestFailure("cannot create the output files in \(folder.path)")
        }
        let process = try await Self.launches.launch {
            try ChildProcess(
                path: Self.executable(named: executable).path, arguments: arguments, environment: fullEnvironment, output: output.path,
                errorOutput: errorOutput.path)
        }
        self.process = process
        self.output = output
        self.errorOutput = errorOutput
        var port: Int?
        let deadline = ContinuousClock.now + .seconds(20)
        while port == nil && ContinuousClock.now < deadline && process.isRunning {
            port = Self.listeningLine(in: Self.text(output)).flatMap { Self.number(after: "\"port\":", in: $0) }
            if port == nil { try await Task.sleep(for: .milliseconds(5)) }
        }
        guard let port else {
            process.signal(SIGKILL)
            throw TestFailure("\(executable) did not report a port within 20 s (running: \(process.isRunning)); stdout: \(Self.text(output).suffix(500)); stderr: \(Self.text(errorOutput).suffix(500))")
        }
        self.port = port
        adminPort = Self.listeningLine(in: Self.text(output)).flatMap { Self.number(after: "\"admin_port\":", in: $0) } ?? 0
    }

    /// The complete `{"event":"listening",...}` line, wherever it stands among other
    /// output (the local runner mixes its children's logs in, some with a "port" too).
    static func listeningLine(in text: String) -> Substring? {
        text.split(separator: "\n").first { $0.contains("\"event\":\"listening\"") && $0.hasSuffix("}") }
    }

    static func number(after key: String, in line: Substring) -> Int? {
        guard let range = line.range(of: key) else { return nil }
        return Int(line[range.upperBound...].prefix { $0.isNumber })
    }

    /// What is in an output file so far.
    static func text(_ file: URL) -> String {
        (FileManager.default.contents(atPath: file.path)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// Everything the process printed on stdout so far.
    public var printed: String { Self.text(output) }

    /// Everything the process printed on stderr (its logs) so far.
    public var logged: String { Self.text(errorOutput) }

    public func signal(_ signal: Int32) {
        process.signal(signal)
    }

    /// SIGSTOP, and back once every thread has stopped: kill(2) returns before that, and
    /// on a loaded machine the process was seen answering one more request after it.
    public func suspend(within limit: Duration = .seconds(10)) async throws {
        process.signal(SIGSTOP)
        let deadline = ContinuousClock.now + limit
        while !isStopped {
            guard ContinuousClock.now < deadline else { throw TestFailure("\(process.path) did not stop within \(limit)") }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    /// Every thread of the process is stopped (state T in /proc/<pid>/task/*/stat).
    var isStopped: Bool {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(process.pid)/task")) ?? []
        return !tasks.isEmpty && tasks.allSatisfy { task in
            guard let stat = try? String(contentsOfFile: "/proc/\(process.pid)/task/\(task)/stat", encoding: .utf8) else { return true }
            return stat.split(separator: ")").last?.split(separator: " ").first == "T"
        }
    }

    /// Waits (bounded) for the process to exit and returns its status. Its last lines may
    /// still be in the pipe: poll `printed`/`logged` with `eventually` for them.
    public func waitForExit(within limit: Duration = .seconds(20)) async throws -> Int32 {
        try await process.waitForExit(within: limit)
    }

    /// A test that ends early (a failed `#require`, a thrown error) never reaches its
    /// stop: its output files go here, and the process with its ``ChildProcess``.
    deinit {
        try? FileManager.default.removeItem(at: output)
        try? FileManager.default.removeItem(at: errorOutput)
    }
}

/// A test precondition that did not hold, with what went wrong.
public struct TestFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Polls `condition` until it holds or `limit` passes. The default bound is generous: a
/// passing test returns as soon as the condition holds, and the whole suite shares two
/// cores (and the cooperative pool's threads) with the processes it starts, so on a
/// loaded machine a step can take many times what it takes on an idle one.
public func eventually(within limit: Duration = .seconds(30), _ condition: () -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + limit
    while !condition() {
        if ContinuousClock.now >= deadline { return false }
        try await Task.sleep(for: .milliseconds(2))
    }
    return true
}

/// Polls an async `condition` (one that asks a service) until it holds or `limit` passes.
public func eventuallyAsync(within limit: Duration = .seconds(30), every pause: Duration = .milliseconds(5), _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + limit
    while try await !condition() {
        if ContinuousClock.now >= deadline { return false }
        try await Task.sleep(for: pause)
    }
    return true
}

/// A thread-safe count of things seen by handlers running on other threads.
public final class Counter: Sendable {
    private let state = Mutex(0)
    public init() {}
    public var value: Int { state.withLock { $0 } }
    public func increment() { state.withLock { $0 += 1 } }
}

/// A folder under the system's temporary directory, for one test's data.
public func temporaryFolder(_ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

// Random on purpose and outside every assertion: two test runs on one machine (CI beside
// a developer's) start their port sequences apart.
private let nextPortOffset = Atomic<Int>(Int.random(in: 0..<12_000))

/// A port nothing listens on right now, picked below Linux's ephemeral range (32768+)
/// so that no other test's port-0 listener or outgoing connection is handed it meanwhile.
/// A port nothing listens on now and no test of this run was given. `withAdmin`: the
/// port 1,000 above it too (a service's default admin port), given with it.
public func freePort(withAdmin: Bool = false) throws -> Int {
    for _ in 0..<200 {
        // Handed out in turn, so two tests of this run never get the same port.
        let port = 20_000 + nextPortOffset.wrappingAdd(1, ordering: .relaxed).oldValue % 11_000
        let wanted = withAdmin ? [port, port + 1000] : [port]
        guard handedOut.withLock({ given in
            guard wanted.allSatisfy({ !given.contains($0) }) else { return false }
            given.formUnion(wanted)
            return true
        }) else { continue }
        if wanted.allSatisfy(isFree) { return port }
    }
    throw TestFailure("no free port below 32000")
}

private let handedOut = Mutex<Set<Int>>([])

private func isFree(_ port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
}

/// Keeps process launches and descriptor-heavy test sections apart without blocking a
/// thread of the cooperative pool: whoever cannot go yet waits with a short sleep.
public final class LaunchGate: Sendable {
    private let state = Mutex<(heavy: Bool, launching: Int)>((false, 0))

    public init() {}

    public func launch<T>(_ body: () throws -> T) async throws -> T {
        while !state.withLock({ s in s.heavy ? false : { s.launching += 1; return true }() }) {
            try await Task.sleep(for: .milliseconds(10))
        }
        defer { state.withLock { $0.launching -= 1 } }
        return try body()
    }

    /// Runs `body` while no process is being launched and none may start.
    public func heavy<T>(_ body: () async throws -> T) async throws -> T {
        while !state.withLock({ s in s.heavy || s.launching > 0 ? false : { s.heavy = true; return true }() }) {
            try await Task.sleep(for: .milliseconds(10))
        }
        defer { state.withLock { $0.heavy = false } }
        return try await body()
    }
}
