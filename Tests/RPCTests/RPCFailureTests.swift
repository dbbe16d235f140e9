import CEpoll
import Contracts
import Foundation
import Glibc
import RPC
import Sockets
import Testing
import TestSupport
import Wire

@Suite struct RPCFailureTests {
    @Test func serverProcessKilledMidCallIsUnavailable() async throws {
        let echo = try await ServiceProcess(executable: "switchboard-echo", arguments: ["--port", "0"])
        let client = RPCClient(host: "127.0.0.1", port: echo.port)
        _ = try await client.call(Echo.echo, EchoMessage(id: 1, text: "warm"))
        let call = Task {
            try await client.call(
                Echo.delayedEcho, EchoMessage(id: 2, text: "", delayMilliseconds: 30_000),
                options: CallOptions(timeout: .seconds(60), retry: RetryPolicy.none))
        }
        #expect(try await eventually { echo.printed.contains("\"delayed_echo_started\",\"id\":2") })
        echo.signal(SIGKILL)
        let started = ContinuousClock.now
        let result = await call.result
        guard case let .failure(error as RPCError) = result else {
            Issue.record("expected unavailable, got \(result)")
            return
        }
        #expect(error.code == .unavailable)
        // Long before the call's 60 s timeout (with room for a loaded machine).
        #expect(ContinuousClock.now - started < .seconds(20))
        _ = try await echo.waitForExit()
    }

    @Test func aWarmUpThatFindsNobodyCostsTheFirstRealCallNoBackoff() async throws {
        let port = try freePort()
        var configuration = RPCClient.Configuration()
        // A backoff no test would wait out: a call that met it would fail with "next attempt in".
        configuration.backoff = ConnectionBackoff(initial: .seconds(600), maximum: .seconds(600))
        configuration.retry = .none
        let client = RPCClient(endpoint: Endpoint(host: "127.0.0.1", port: port), configuration: configuration)
        client.warmUp()
        // Whether it meets the warm-up in flight or comes after it failed, the call makes a real attempt.
        let error = await #expect(throws: RPCError.self) { try await client.call(Echo.echo, EchoMessage(), options: CallOptions(timeout: .seconds(5))) }
        // (deadline_exceeded when a loaded machine keeps the refused connect waiting past the call's 5 s.)
        #expect([.unavailable, .deadlineExceeded].contains(error?.code) && error?.message.contains("next attempt in") == false, "\(error?.message ?? "")")

        var serverConfiguration = RPCServer.Configuration(host: "127.0.0.1", port: port)
        serverConfiguration.log = { _, _ in }
        let server = RPCServer(configuration: serverConfiguration)
        server.register(Echo.echo) { request, _ in request }
        try server.start()
        // A client warmed up against a server that is there: its first call goes on that connection.
        let fresh = RPCClient(endpoint: Endpoint(host: "127.0.0.1", port: port), configuration: configuration)
        fresh.warmUp()
        #expect(try await fresh.call(Echo.echo, EchoMessage(id: 7)).id == 7)
        await server.shutdown()
    }

    @Test func peerDownFailsFastThenReconnectsAfterBackoff() async throws {
        // A port nothing listens on, outside the range other tests' servers are given.
        let port = try freePort()
        let client = RPCClient(
            endpoint: Endpoint(host: "127.0.0.1", port: port),
            configuration: {
                var c = RPCClient.Configuration()
                c.backoff = ConnectionBackoff(initial: .milliseconds(50), maximum: .milliseconds(200))
                c.retry = .none
                c.connectTimeout = .seconds(60)
                return c
            }())
        let started = ContinuousClock.now
        let error = await #expect(throws: RPCError.self) { try await client.call(Echo.echo, EchoMessage(), options: CallOptions(timeout: .seconds(60))) }
        #expect(error?.code == .unavailable)
        #expect(error?.message.contains("127.0.0.1:\(port)") == true)
        // Refused at once, not after the 60 s connect timeout (with room for a loaded machine).
        #expect(ContinuousClock.now - started < .seconds(20))

        var configuration = RPCServer.Configuration(host: "127.0.0.1", port: port)
        configuration.log = { _, _ in }
        let server = RPCServer(configuration: configuration)
        server.register(Echo.echo) { request, _ in request }
        try server.start()
        var reply: EchoMessage?
        let deadline = ContinuousClock.now + .seconds(10)
        while reply == nil && ContinuousClock.now < deadline {
            reply = try? await client.call(Echo.echo, EchoMessage(id: 5, text: "back"))
            if reply == nil { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(reply?.id == 5)
        await server.shutdown()
    }

    @Test func garbageAndOversizedFramesCloseOnlyThatConnection() async throws {
        let fixture = try TestServer { $0.maxFrameLength = 64 * 1024 }
        let client = fixture.client()
        _ = try await client.call(Echo.echo, EchoMessage(id: 1, text: "before"))

        // An oversized length: answered with GOAWAY(resource_exhausted), then closed.
        let oversized = try PlainClient(port: fixture.server.port)
        oversized.send([0x7F, 0xFF, 0xFF, 0xFF, 1, 1, 0, 0])
        let reply = oversized.readAndClose()
        var decoder = FrameDecoder()
        decoder.append(reply)
        let frame = try #require(try decoder.next())
        #expect(frame.kind == .goAway)
        #expect(try GoAway(wireBytes: frame.body).code == .resourceExhausted)

        // Someone speaking HTTP at us: "GET " read as a length is 1.2 GB.
        let http = try PlainClient(port: fixture.server.port)
        http.send(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        var httpDecoder = FrameDecoder()
        httpDecoder.append(http.readAndClose())
        let httpGoAway = try #require(try httpDecoder.next())
        #expect(try GoAway(wireBytes: httpGoAway.body).code == .resourceExhausted)

        // A frame of the right size but a protocol version we do not speak.
        let garbage = try PlainClient(port: fixture.server.port)
        garbage.send([0, 0, 0, 8, 9, 1, 0, 0, 0, 0, 0, 1])
        var garbageDecoder = FrameDecoder()
        garbageDecoder.append(garbage.readAndClose())
        let goAway = try #require(try garbageDecoder.next())
        let reason = try GoAway(wireBytes: goAway.body)
        #expect(reason.code == .invalidArgument)
        #expect(reason.message.contains("version 9"))

        // The well-behaved connection never noticed.
        #expect(try await client.call(Echo.echo, EchoMessage(id: 2, text: "after")).text == "after")
        await fixture.server.shutdown()
    }

    @Test func clientHangingUpCancelsItsHandlers() async throws {
        let fixture = try TestServer()
        let socket = try PlainClient(port: fixture.server.port)
        let head = RequestHead(method: TestServer.waitForCancel.fullName, timeoutMicroseconds: 0, metadata: [])
        socket.send(Frame.encodeCall(kind: .request, requestID: 1, head: head) { EchoMessage().encode(to: &$0) })
        #expect(try await eventually { fixture.startedCalls.value == 1 })
        socket.close()
        #expect(try await eventually { fixture.cancelledCalls.value == 1 })
        await fixture.server.shutdown()
    }

    /// G4: the server keeps the budget a request states even when its client does not: past it,
    /// the call is answered deadline_exceeded, naming the method, and its handler stops.
    @Test func g4TheServerAnswersARequestPastItsStatedDeadlineAndStopsTheHandler() async throws {
        let fixture = try TestServer()
        let socket = try PlainClient(port: fixture.server.port, receiveTimeout: 1)
        let head = RequestHead(method: TestServer.waitForCancel.fullName, timeoutMicroseconds: 100_000, metadata: [])
        socket.send(Frame.encodeCall(kind: .request, requestID: 5, head: head) { EchoMessage().encode(to: &$0) })
        let answer = try await offThePool { socket.read(until: ["did not finish"], within: 15) }
        socket.close()
        // Every byte of this small answer is below 0x80, so the text round-trips them.
        var decoder = FrameDecoder()
        decoder.append(Array(answer.utf8))
        let frame = try #require(try decoder.next())
        #expect(frame.kind == .response && frame.requestID == 5)
        let trailer = try CallBody<ResponseTrailer>(frameBody: frame.body).head
        #expect(trailer.code == .deadlineExceeded)
        #expect(trailer.message == "\(TestServer.waitForCancel.fullName) did not finish within its deadline of 100 ms")
        #expect(try await eventually { fixture.cancelledCalls.value == 1 })
        await fixture.server.shutdown()
    }

    @Test(arguments: Transport.allCases) func gracefulShutdownFinishesCallsInFlight(over transport: Transport) async throws {
        let fixture = try TestServer(over: transport)
        let client = fixture.client(over: transport) { $0.retry = .none }
        let slow = Task {
            try await client.call(Echo.delayedEcho, EchoMessage(id: 7, text: "slow", delayMilliseconds: 300))
        }
        #expect(try await eventually { fixture.startedCalls.value == 1 })
        let shutdown = Task { await fixture.server.shutdown(gracePeriod: .seconds(10)) }
        #expect(try await slow.value.id == 7)
        await shutdown.value
        let error = await #expect(throws: RPCError.self) { try await client.call(Echo.echo, EchoMessage()) }
        #expect(error?.code == .unavailable)
    }

    @Test(arguments: Transport.allCases) func shutdownAfterGracePeriodAnswersUnavailable(over transport: Transport) async throws {
        let fixture = try TestServer(over: transport)
        let client = fixture.client(over: transport) { $0.retry = .none }
        let stuck = Task { try await client.call(TestServer.waitForCancel, EchoMessage(id: 1, text: "")) }
        #expect(try await eventually { fixture.startedCalls.value == 1 })
        await fixture.server.shutdown(gracePeriod: .milliseconds(100))
        let result = await stuck.result
        guard case let .failure(error as RPCError) = result else {
            Issue.record("expected unavailable, got \(result)")
            return
        }
        #expect(error.code == .unavailable)
        #expect(fixture.cancelledCalls.value == 1)
    }

    @Test func sigtermDrainsTheProcessAndExitsZero() async throws {
        let echo = try await ServiceProcess(executable: "switchboard-echo", arguments: ["--port", "0", "--grace-ms", "10000"])
        let client = RPCClient(host: "127.0.0.1", port: echo.port)
        let slow = Task {
            try await client.call(Echo.delayedEcho, EchoMessage(id: 3, text: "drain", delayMilliseconds: 300))
        }
        #expect(try await eventually { echo.printed.contains("\"delayed_echo_started\",\"id\":3") })
        echo.signal(SIGTERM)
        #expect(try await slow.value.text == "drain")
        #expect(try await echo.waitForExit() == 0)
        #expect(try await eventually { echo.printed.contains("\"stopped\"") })
    }
}

extension PlainClient {
    /// Everything until the server closes, then closes our end.
    func readAndClose() -> [UInt8] {
        defer { close() }
        return readAllBytes()
    }
}
