import Contracts
import Foundation
import RPC
import Sockets
import Synchronization
import Testing
import TestSupport
import Wire

/// An in-process server with the Echo methods and a few probes for the tests.
final class TestServer: Sendable {
    let server: RPCServer
    let cancelledCalls = Counter()
    let startedCalls = Counter()

    static let waitForCancel = MethodDescriptor<EchoMessage, EchoMessage>(
        service: "test.Probe", method: "WaitForCancel")
    static let fail = MethodDescriptor<EchoMessage, EchoMessage>(service: "test.Probe", method: "Fail")

    /// Over ``Transport/tls`` the server requires certificates: it is `echo`, its clients `gateway`.
    init(over transport: Transport = .tcp, configure: (inout RPCServer.Configuration) -> Void = { _ in }) throws {
        var configuration = RPCServer.Configuration(host: "127.0.0.1", port: 0)
        configuration.log = { _, _ in }
        if transport == .tls { configuration.security = try TestPKI.server("echo") }
        configure(&configuration)
        server = RPCServer(configuration: configuration)
        server.register(Echo.echo) { request, _ in request }
        server.register(Echo.delayedEcho) { [startedCalls] request, _ in
            startedCalls.increment()
            try await Task.sleep(for: .milliseconds(request.delayMilliseconds))
            return request
        }
        server.register(Self.waitForCancel) { [cancelledCalls, startedCalls] request, _ in
            startedCalls.increment()
            do {
                try await Task.sleep(for: .seconds(60))
            } catch {
                cancelledCalls.increment()
                throw error
            }
            return request
        }
        server.register(Self.fail) { request, _ in
            if request.id == 1 {
                throw RPCError.invalidArgument("id must not be 1", details: [FieldViolation(field: "id", description: "is 1")])
            }
            struct Secret: Error {}
            throw Secret()
        }
        try server.start()
    }

    var endpoint: Endpoint { Endpoint(host: "127.0.0.1", port: server.port) }

    func client(over transport: Transport = .tcp, _ configure: (inout RPCClient.Configuration) -> Void = { _ in }) -> RPCClient {
        var configuration = RPCClient.Configuration()
        configure(&configuration)
        switch transport {
        case .tcp: return RPCClient(endpoint: endpoint, configuration: configuration)
        case .tls:
            configuration.security = try! TestPKI.client("gateway")
            return RPCClient(endpoint: Endpoint(host: "127.0.0.1", port: server.port, name: "echo"), configuration: configuration)
        case .inProcess: return RPCClient(inProcess: server, name: "test-server", configuration: configuration)
        }
    }
}

/// How a test's client reaches its server: the same tests run over both, so what
/// in-process tests show holds over TCP (grpc-swift runs its tests over each transport).
enum Transport: CaseIterable, Sendable {
    case tcp
    /// TCP under mutual TLS (PROTOCOL.md §1).
    case tls
    case inProcess
}

@Suite struct RPCCallTests {
    @Test(arguments: Transport.allCases) func echoRoundTrip(over transport: Transport) async throws {
        let fixture = try TestServer(over: transport)
        let client = fixture.client(over: transport)
        let reply = try await client.call(Echo.echo, EchoMessage(id: 42, text: "привет"))
        #expect(reply == EchoMessage(id: 42, text: "привет"))
        await fixture.server.shutdown()
    }

    @Test func anInProcessClientNeedsNoListenerAndSpeaksTheWire() async throws {
        var configuration = RPCServer.Configuration()
        configuration.log = { _, _ in }
        let server = RPCServer(configuration: configuration)
        server.register(Echo.echo) { request, context in EchoMessage(id: request.id, text: context.metadata[Metadata.Key.caller] ?? "") }
        // Never started: no port is bound, and the call still goes through frames.
        let client = RPCClient(inProcess: server, name: "echo", configuration: { var c = RPCClient.Configuration(); c.caller = "tester"; return c }())
        #expect(server.port == 0)
        #expect(try await client.call(Echo.echo, EchoMessage(id: 3)) == EchoMessage(id: 3, text: "tester"))
        await server.shutdown()
        let error = await #expect(throws: RPCError.self) { try await client.call(Echo.echo, EchoMessage(id: 4), options: CallOptions(retry: RetryPolicy.none)) }
        #expect(error?.code == .unavailable)
    }

    @Test(arguments: Transport.allCases) func healthReportsServingAndUnknownServices(over transport: Transport) async throws {
        let fixture = try TestServer(over: transport)
        let client = fixture.client(over: transport)
        #expect(try await client.call(Health.check, HealthCheckRequest()).status == .serving)
        #expect(try await client.call(Health.check, HealthCheckRequest(service: "nope")).status == .serviceUnknown)
        fixture.server.setHealth(.notServing, for: "contacts")
        #expect(try await client.call(Health.check, HealthCheckRequest(service: "contacts")).status == .notServing)
        await fixture.server.shutdown()
    }

    @Test(arguments: Transport.allCases) func thousandConcurrentCallsOnOneConnection(over transport: Transport) async throws {
        let fixture = try TestServer(over: transport)
        let client = fixture.client(over: transport)
        let ids = try await withThrowingTaskGroup(of: Int64.self) { group in
            for i in 0..<1000 {
                group.addTask {
                    // Varying delays make the server answer out of order.
                    let reply = try await client.call(
                        Echo.delayedEcho, EchoMessage(id: Int64(i), text: "call \(i)", delayMilliseconds: Int64(i % 7)))
                    #expect(reply.text == "call \(i)")
                    return reply.id
                }
            }
            var ids: [Int64] = []
            for try await id in group { ids.append(id) }
            return ids
        }
        #expect(Set(ids) == Set((0..<1000).map(Int64.init)))
        await fixture.server.shutdown()
    }

    @Test(arguments: Transport.allCases) func handlerErrorsCarryStatusAndDetails(over transport: Transport) async throws {
        let fixture = try TestServer(over: transport)
        let client = fixture.client(over: transport)
        let error = await #expect(throws: RPCError.self) {
            try await client.call(TestServer.fail, EchoMessage(id: 1, text: ""))
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.details == [FieldViolation(field: "id", description: "is 1")])
        // A non-RPC error is internal and its text stays on the server.
        let hidden = await #expect(throws: RPCError.self) {
            try await client.call(TestServer.fail, EchoMessage(id: 2, text: ""))
        }
        #expect(hidden?.code == .internal)
        #expect(hidden?.message.contains("Secret") == false)
        await fixture.server.shutdown()
    }

    @Test func unknownMethodIsUnimplemented() async throws {
        let fixture = try TestServer()
        let missing = MethodDescriptor<EchoMessage, EchoMessage>(service: "nowhere.Service", method: "Missing")
        let error = await #expect(throws: RPCError.self) {
            try await fixture.client().call(missing, EchoMessage())
        }
        #expect(error?.code == .unimplemented)
        #expect(error?.message.contains("nowhere.Service/Missing") == true)
        await fixture.server.shutdown()
    }

    @Test func overlongMethodNameIsInvalidArgument() async throws {
        let fixture = try TestServer()
        let long = MethodDescriptor<EchoMessage, EchoMessage>(service: String(repeating: "s", count: 300), method: "M")
        let error = await #expect(throws: RPCError.self) { try await fixture.client().call(long, EchoMessage()) }
        #expect(error?.code == .invalidArgument)
        await fixture.server.shutdown()
    }

    @Test(arguments: Transport.allCases) func deadlineExceededEndsTheCallAndTheHandler(over transport: Transport) async throws {
        let fixture = try TestServer(over: transport)
        let client = fixture.client(over: transport)
        // Connect first: connecting counts against the budget too, and this test is
        // about a call that reached the server.
        _ = try await client.call(Echo.echo, EchoMessage())
        let started = ContinuousClock.now
        let error = await #expect(throws: RPCError.self) {
            try await client.call(
                TestServer.waitForCancel, EchoMessage(id: 1, text: ""), options: CallOptions(timeout: .milliseconds(100)))
        }
        #expect(error?.code == .deadlineExceeded)
        // Far from never (the handler waits for its cancel), with room for a machine the whole
        // suite loads: this and the gateway's 504 test each took just over 5 s there once.
        #expect(ContinuousClock.now - started < .seconds(15))
        // The server enforces the same budget and stops the handler.
        #expect(try await eventually { fixture.cancelledCalls.value == 1 })
        await fixture.server.shutdown()
    }

    @Test(arguments: Transport.allCases) func clientCancelReachesTheServerHandler(over transport: Transport) async throws {
        let fixture = try TestServer(over: transport)
        let client = fixture.client(over: transport)
        let call = Task {
            try await client.call(TestServer.waitForCancel, EchoMessage(id: 1, text: ""))
        }
        #expect(try await eventually { fixture.startedCalls.value == 1 })
        call.cancel()
        let result = await call.result
        #expect(throws: RPCError.self) { try result.get() }
        if case let .failure(error as RPCError) = result { #expect(error.code == .cancelled) }
        #expect(try await eventually { fixture.cancelledCalls.value == 1 })
        await fixture.server.shutdown()
    }

    @Test(arguments: Transport.allCases) func callsInFlightOverTheLimitAreRefused(over transport: Transport) async throws {
        let fixture = try TestServer(over: transport) { $0.maxConcurrentCallsPerConnection = 2 }
        let client = fixture.client(over: transport)
        // Handlers that hold their slot until cancelled: no timing for a loaded machine to break.
        let slow = (0..<2).map { i in
            Task { try await client.call(TestServer.waitForCancel, EchoMessage(id: Int64(i), text: "")) }
        }
        #expect(try await eventually { fixture.startedCalls.value == 2 })
        let error = await #expect(throws: RPCError.self) {
            try await client.call(Echo.echo, EchoMessage(id: 9, text: ""), options: CallOptions(retry: RetryPolicy.none))
        }
        #expect(error?.code == .resourceExhausted)
        for task in slow { task.cancel() }
        #expect(try await eventually { fixture.cancelledCalls.value == 2 })
        // Capacity is back once they finish.
        #expect(try await client.call(Echo.echo, EchoMessage(id: 10, text: "")).id == 10)
        await fixture.server.shutdown()
    }

    @Test func connectionsOverTheLimitAreRefusedWithAReason() async throws {
        let fixture = try TestServer { $0.maxConnections = 1 }
        let first = fixture.client()
        _ = try await first.call(Echo.echo, EchoMessage(id: 1, text: ""))
        let second = fixture.client { $0.retry = .none }
        let error = await #expect(throws: RPCError.self) {
            try await second.call(Echo.echo, EchoMessage(id: 2, text: ""))
        }
        #expect(error?.code == .resourceExhausted || error?.code == .unavailable)
        #expect(try await first.call(Echo.echo, EchoMessage(id: 3, text: "")).id == 3)
        await fixture.server.shutdown()
    }

    @Test func metadataAndDeadlineReachTheHandler() async throws {
        let fixture = try TestServer()
        let inspect = MethodDescriptor<EchoMessage, EchoMessage>(service: "test.Probe", method: "Inspect")
        fixture.server.register(inspect) { _, context in
            let budget = context.remainingTime.map { Int64($0.nanosecondsClamped / 1_000_000) } ?? -1
            return EchoMessage(id: budget, text: context.metadata["request-id"] ?? "")
        }
        var metadata = Metadata()
        metadata["request-id"] = "req-123"
        let reply = try await fixture.client().call(
            inspect, EchoMessage(), options: CallOptions(timeout: .seconds(30), metadata: metadata))
        #expect(reply.text == "req-123")
        // The handler sees the caller's budget, less the time the call took to arrive.
        #expect(reply.id > 20_000 && reply.id <= 30_000)
        await fixture.server.shutdown()
    }
}
