// A diagnostic RPC server that answers the Echo contract. Tests start it as a real
// process (to kill it mid-call, send it SIGTERM); benchmarks measure the protocol
// with it. Prints one JSON line with its port when it is ready.
//
//   switchboard-echo [--host 127.0.0.1] [--port 0] [--grace-ms 5000]
//
// With ECHO_TLS_DIR it serves mutual TLS as ECHO_IDENTITY (`echo` unless set), from
// `ca.crt`, `<identity>.crt` and `<identity>.key` in that folder (PROTOCOL.md §1).
import ContractServices
import Contracts
import Dispatch
import Foundation
import RPC
import ServiceKit
import TLS

var host = "127.0.0.1"
var port = 0
var graceMilliseconds = 5000
var arguments = CommandLine.arguments.dropFirst()
while let flag = arguments.popFirst() {
    guard let value = arguments.popFirst() else {
        FileHandle.standardError.write(Data("switchboard-echo: \(flag) needs a value\n".utf8))
        exit(2)
    }
    switch flag {
    case "--host": host = value
    case "--port": port = Int(value) ?? -1
    case "--grace-ms": graceMilliseconds = Int(value) ?? -1
    default:
        FileHandle.standardError.write(Data("switchboard-echo: unknown option \(flag)\n".utf8))
        exit(2)
    }
}
guard (0...65535).contains(port), graceMilliseconds >= 0 else {
    FileHandle.standardError.write(Data("switchboard-echo: --port must be 0...65535 and --grace-ms >= 0\n".utf8))
    exit(2)
}

/// One unbuffered line on stdout: whoever started us learns our state at once.
@Sendable func announce(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// Answers what it is sent, at once or after the delay asked for.
struct EchoService: Echo.ServiceProtocol {
    func echo(_ request: EchoMessage, context _: ServerContext) async throws -> EchoMessage { request }

    func delayedEcho(_ request: EchoMessage, context _: ServerContext) async throws -> EchoMessage {
        // Said on stdout so a test knows the call reached us before it kills or stops us.
        announce("{\"event\":\"delayed_echo_started\",\"id\":\(request.id)}")
        try await Task.sleep(for: .milliseconds(request.delayMilliseconds))
        return request
    }
}

var configuration = RPCServer.Configuration(host: host, port: port)
if let folder = ProcessInfo.processInfo.environment["ECHO_TLS_DIR"] {
    let identity = ProcessInfo.processInfo.environment["ECHO_IDENTITY"] ?? "echo"
    do {
        configuration.security = try TLSContext(role: .server, files: TLSFiles(directory: folder, identity: identity))
    } catch {
        FileHandle.standardError.write(Data("switchboard-echo: \(error)\n".utf8))
        exit(1)
    }
}
let server = RPCServer(configuration: configuration)
server.register(EchoService())
do {
    try server.start()
} catch {
    FileHandle.standardError.write(Data("switchboard-echo: cannot listen on \(host):\(port): \(error)\n".utf8))
    exit(1)
}
announce("{\"event\":\"listening\",\"host\":\"\(host)\",\"port\":\(server.port)}")

signal(SIGTERM, SIG_IGN)
signal(SIGINT, SIG_IGN)
let stop: @Sendable () -> Void = {
    _ = Task {
        await server.shutdown(gracePeriod: .milliseconds(graceMilliseconds))
        announce("{\"event\":\"stopped\"}")
        exit(0)
    }
}
let terminate = DispatchSource.makeSignalSource(signal: SIGTERM, queue: .main)
terminate.setEventHandler { stop() }
terminate.resume()
let interrupt = DispatchSource.makeSignalSource(signal: SIGINT, queue: .main)
interrupt.setEventHandler { stop() }
interrupt.resume()
let parentWatch = ParentWatch.start { _ in stop() }
withExtendedLifetime(parentWatch) { dispatchMain() }
