import Contracts
import RPC
import Sockets
import Synchronization
import Testing
import TestSupport
import Wire

/// Writes down what it saw, for the interceptor tests.
final class CallJournal: Sendable {
    private let lines = Mutex<[String]>([])

    func note(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}

/// Notes when it is entered and left, and how the call ended.
struct JournalInterceptor: ServerInterceptor {
    let name: String
    let journal: CallJournal

    func intercept(_ context: ServerContext, next: @Sendable (ServerContext) async -> ServerOutcome) async -> ServerOutcome {
        journal.note("\(name)>")
        let outcome = await next(context)
        journal.note("<\(name) \(context.method) \(outcome.code.name)")
        return outcome
    }
}

/// Lets a call through only with `authorization: letmein`, as an authorising
/// interceptor would with a real credential.
struct KeyInterceptor: ServerInterceptor {
    func intercept(_ context: ServerContext, next: @Sendable (ServerContext) async -> ServerOutcome) async -> ServerOutcome {
        guard context.metadata[Metadata.Key.authorization] == "letmein" else {
            return .failure(RPCError(.permissionDenied, "\(context.method) needs a key"))
        }
        return await next(context)
    }
}

@Suite struct RPCInterceptorTests {
    @Test func aServerInterceptorRefusesACallBeforeItsHandlerRuns() async throws {
        let fixture = try TestServer { $0.interceptors = [KeyInterceptor()] }
        let client = fixture.client()
        await #expect(throws: RPCError.self) {
            _ = try await client.call(Echo.delayedEcho, EchoMessage(id: 1, delayMilliseconds: 1))
        }
        do {
            _ = try await client.call(Echo.delayedEcho, EchoMessage(id: 1, delayMilliseconds: 1))
        } catch {
            #expect(error.code == .permissionDenied)
        }
        #expect(fixture.startedCalls.value == 0)
        let keyed = try await client.call(
            Echo.delayedEcho, EchoMessage(id: 2, delayMilliseconds: 1),
            options: CallOptions(metadata: Metadata([(Metadata.Key.authorization, "letmein")])))
        #expect(keyed.id == 2)
        #expect(fixture.startedCalls.value == 1)
        await fixture.server.shutdown()
    }

    @Test func serverInterceptorsWrapInOrderAndSeeHowEveryCallEnded() async throws {
        let journal = CallJournal()
        let fixture = try TestServer {
            $0.interceptors = [JournalInterceptor(name: "outer", journal: journal), JournalInterceptor(name: "inner", journal: journal)]
        }
        let client = fixture.client()
        _ = try await client.call(Echo.echo, EchoMessage(id: 1))
        #expect(journal.all == ["outer>", "inner>", "<inner switchboard.diagnostics.Echo/Echo ok", "<outer switchboard.diagnostics.Echo/Echo ok"])

        _ = try? await client.call(TestServer.fail, EchoMessage(id: 1))
        let unknown = MethodDescriptor<EchoMessage, EchoMessage>(service: "test.Probe", method: "Missing")
        _ = try? await client.call(unknown, EchoMessage(id: 1))
        // A handler that does not stop when cancelled: the caller was answered at the
        // deadline, and that is what the interceptors see when the handler ends.
        let stubborn = MethodDescriptor<EchoMessage, EchoMessage>(service: "test.Probe", method: "Stubborn")
        fixture.server.register(stubborn) { request, _ in
            let until = MonotonicInstant.now() + .milliseconds(300)
            while MonotonicInstant.now() < until { try? await Task.sleep(for: .milliseconds(20)) }
            return request
        }
        _ = try? await client.call(stubborn, EchoMessage(id: 1), options: CallOptions(timeout: .milliseconds(50)))
        // A caller that gives up: the handler is cancelled.
        let waiting = Task { _ = try? await client.call(TestServer.waitForCancel, EchoMessage(id: 1)) }
        #expect(try await eventually(within: .seconds(10)) { fixture.startedCalls.value == 1 })
        waiting.cancel()
        #expect(try await eventually(within: .seconds(10)) { journal.all.count == 20 })
        #expect(journal.all.filter { $0.hasPrefix("<outer") } == [
            "<outer switchboard.diagnostics.Echo/Echo ok", "<outer test.Probe/Fail invalid_argument", "<outer test.Probe/Missing unimplemented",
            "<outer test.Probe/Stubborn deadline_exceeded", "<outer test.Probe/WaitForCancel cancelled",
        ])
        await fixture.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func g4g5ACallMadeWhileServingOneCarriesItsRequestIDTraceAndDeadline() async throws {
        let seen = Mutex<(metadata: Metadata, deadline: MonotonicInstant?)?>(nil)
        var downstreamConfiguration = RPCServer.Configuration()
        downstreamConfiguration.log = { _, _ in }
        let downstream = RPCServer(configuration: downstreamConfiguration)
        downstream.register(Echo.echo) { request, context in
            seen.withLock { $0 = (context.metadata, context.deadline) }
            return request
        }
        try downstream.start()
        let onward = RPCClient(endpoint: Endpoint(host: "127.0.0.1", port: downstream.port))
        let upstream = try TestServer { $0.interceptors = [CallPropagation()] }
        let relay = MethodDescriptor<EchoMessage, EchoMessage>(service: "test.Probe", method: "Relay")
        upstream.server.register(relay) { request, _ in
            // No options: what travels on comes from the call being served.
            try await onward.call(Echo.echo, request)
        }
        let before = MonotonicInstant.now()
        let caller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        let metadata = Metadata([(Metadata.Key.requestID, "req-7"), (Metadata.Key.traceparent, caller)])
        // 20 s: two connections to open on a machine that may be loaded (8 s ran out once,
        // beside two busy loops); still below the client's default of 30 s, which is what
        // the assertion below tells apart.
        let reply = try await upstream.client().call(relay, EchoMessage(id: 7), options: CallOptions(timeout: .seconds(20), metadata: metadata))
        #expect(reply.id == 7)
        let (downstreamMetadata, deadline) = try #require(seen.withLock { $0 })
        #expect(downstreamMetadata[Metadata.Key.requestID] == "req-7")
        // P5: the same trace, the relay's own span as the onward call's parent.
        let onwardTrace = try #require(downstreamMetadata[Metadata.Key.traceparent].flatMap(TraceContext.init(header:)))
        #expect(onwardTrace.traceID == "4bf92f3577b34da6a3ce929d0e0e4736" && onwardTrace.spanID != "00f067aa0ba902b7" && onwardTrace.sampled)
        // The client's default is 30 s; what was left of the served call's 20 s is what it got.
        let budget = before.duration(until: try #require(deadline))
        #expect(budget < .seconds(25) && budget > .seconds(1))

        // Outside a served call nothing is added.
        _ = try await onward.call(Echo.echo, EchoMessage(id: 8))
        #expect(seen.withLock { $0?.metadata[Metadata.Key.requestID] } == nil)
        await upstream.server.shutdown()
        await downstream.shutdown()
    }

    @Test func aClientInterceptorChangesTheCallOrRefusesItUnsent() async throws {
        struct Stamp: ClientInterceptor {
            func intercept(_ call: ClientCall, next: @Sendable (ClientCall) async -> ClientOutcome) async -> ClientOutcome {
                guard call.method != TestServer.fail.fullName else { return .failure(RPCError(.failedPrecondition, "not sent")) }
                var call = call
                call.metadata[Metadata.Key.authorization] = "letmein"
                return await next(call)
            }
        }
        let fixture = try TestServer { $0.interceptors = [KeyInterceptor()] }
        let client = fixture.client { $0.interceptors = [Stamp()] }
        #expect(try await client.call(Echo.echo, EchoMessage(id: 3)).id == 3)
        do {
            _ = try await client.call(TestServer.fail, EchoMessage(id: 2))
            Issue.record("the interceptor should have refused the call")
        } catch {
            #expect(error.code == .failedPrecondition)
        }
        await fixture.server.shutdown()
    }
}
