import Contracts
import Foundation
import RPC
import Synchronization
import Testing
import TestSupport
import TLS
import Wire

/// Mutual TLS on the binary protocol (issue 24): a server requires a certificate from the
/// cluster CA, still valid, whose identity the method names among its callers; a client
/// requires the server to be the identity it dialled. Whatever is refused never reaches a
/// handler.
@Suite struct MutualTLSTests {
    static let dealsOnly = MethodDescriptor<EchoMessage, EchoMessage>(service: "test.Guarded", method: "Write", callers: ["deals", "telephony"])

    /// An `echo` server with one guarded method that counts the calls it runs.
    final class GuardedServer: Sendable {
        let server: RPCServer
        let handled = Counter()

        init() throws {
            var configuration = RPCServer.Configuration()
            configuration.log = { _, _ in }
            configuration.security = try TestPKI.server("echo")
            configuration.interceptors = [CallerAuthorization()]
            server = RPCServer(configuration: configuration)
            server.register(MutualTLSTests.dealsOnly) { [handled] request, context in
                handled.increment()
                return EchoMessage(id: request.id, text: "\(context.peerIdentity)")
            }
            server.register(Echo.echo) { request, _ in request }
            try server.start()
        }

        func client(_ security: TLSContext, expecting name: String = "echo") -> RPCClient {
            var configuration = RPCClient.Configuration()
            configuration.security = security
            configuration.retry = .none
            configuration.connectTimeout = RPCClient.Configuration.testHandshakeLimit
            return RPCClient(endpoint: Endpoint(host: "127.0.0.1", port: server.port, name: name), configuration: configuration)
        }
    }

    @Test func aDeclaredCallerIsServedAndKnownByItsCertificate() async throws {
        let fixture = try GuardedServer()
        // A loaded machine makes handshakes slow: the calls wait for them generously.
        let patient = CallOptions(timeout: .seconds(30))
        let deals = fixture.client(try TestPKI.client("deals"))
        #expect(try await deals.call(Self.dealsOnly, EchoMessage(id: 1), options: patient).text == "deals")
        // A replica calls as its service.
        let replica = fixture.client(try TestPKI.client("telephony-0"))
        #expect(try await replica.call(Self.dealsOnly, EchoMessage(id: 2), options: patient).text == "telephony-0")
        #expect(fixture.handled.value == 2)
        await fixture.server.shutdown()
    }

    @Test func anUndeclaredCallerIsPermissionDeniedBeforeTheHandler() async throws {
        let fixture = try GuardedServer()
        let gateway = fixture.client(try TestPKI.client("gateway"))
        let error = await #expect(throws: RPCError.self) { try await gateway.call(Self.dealsOnly, EchoMessage(id: 1)) }
        #expect(error?.code == .permissionDenied)
        #expect(error?.message == "gateway may not call test.Guarded/Write")
        // A method open to anyone still answers it on the same connection.
        #expect(try await gateway.call(Echo.echo, EchoMessage(id: 5)) == EchoMessage(id: 5))
        #expect(fixture.handled.value == 0)
        await fixture.server.shutdown()
    }

    /// Certificates the server cannot trust, for "deals": both trust the cluster's CA
    /// themselves, so only the server's check can refuse them.
    enum Untrusted: String, CaseIterable {
        case fromAnotherAuthority, expired

        func files() throws -> TLSFiles {
            switch self {
            case .fromAnotherAuthority:
                let stranger = try CertificateAuthority.make(name: "Someone else", start: Date() - 300, lifetime: 86_400)
                return try TestPKI.issue("deals", by: stranger, start: Date() - 300, end: Date() + 86_400)
            case .expired:
                return try TestPKI.issue("deals", start: Date() - 86_400 * 10, end: Date() - 86_400)
            }
        }
    }

    @Test(arguments: Untrusted.allCases) func aCertificateTheServerCannotTrustIsRefused(_ certificate: Untrusted) async throws {
        let fixture = try GuardedServer()
        let files = try certificate.files()
        let error = await #expect(throws: RPCError.self) {
            try await fixture.client(try TLSContext(role: .client, files: files)).call(Self.dealsOnly, EchoMessage(id: 1))
        }
        #expect(error?.code == .unavailable)
        #expect(fixture.handled.value == 0)
        await fixture.server.shutdown()
    }

    @Test func aClientRefusesAServerThatIsNotTheIdentityItDialled() async throws {
        let fixture = try GuardedServer()
        let error = await #expect(throws: RPCError.self) {
            try await fixture.client(try TestPKI.client("deals"), expecting: "contacts").call(Self.dealsOnly, EchoMessage(id: 1))
        }
        #expect(error?.code == .unavailable)
        #expect(error?.message.contains("hostname mismatch") == true)
        #expect(fixture.handled.value == 0)
        await fixture.server.shutdown()
    }

    @Test func aPlaintextClientGetsNothingFromATLSServer() async throws {
        let fixture = try GuardedServer()
        var configuration = RPCClient.Configuration()
        configuration.retry = .none
        configuration.connectTimeout = .seconds(2)
        let plain = RPCClient(endpoint: Endpoint(host: "127.0.0.1", port: fixture.server.port), configuration: configuration)
        let error = await #expect(throws: RPCError.self) {
            try await plain.call(Self.dealsOnly, EchoMessage(id: 1), options: CallOptions(timeout: .seconds(2)))
        }
        #expect(error?.code == .unavailable || error?.code == .deadlineExceeded)
        #expect(fixture.handled.value == 0)
        await fixture.server.shutdown()
    }

    @Test func aRenewedCertificateIsUsedForNewConnectionsWithoutARestartOrADroppedCall() async throws {
        // The server's own folder: renewals are written into it as `switchboard up` does.
        var directory = CertificateDirectory(path: try temporaryFolder("renewal").path)
        directory.durable = false
        directory.renewBefore = 0
        let authority = try TestPKI.authority()
        try authority.certificate.write(toFile: "\(directory.path)/ca.crt", atomically: true, encoding: .utf8)
        try authority.key.write(toFile: "\(directory.path)/ca.key", atomically: true, encoding: .utf8)
        try directory.prepare(["echo"], now: Date())
        let reloadFailures = Counter()
        var configuration = RPCServer.Configuration()
        configuration.log = { _, _ in }
        configuration.security = try TLSContext(role: .server, files: directory.files(for: "echo")) { _ in reloadFailures.increment() }
        let server = RPCServer(configuration: configuration)
        server.register(Echo.echo) { request, _ in request }
        try server.start()
        func client() throws -> RPCClient {
            var configuration = RPCClient.Configuration()
            configuration.retry = .none
            return RPCClient.test("echo", port: server.port, as: "gateway", configuration: configuration)
        }
        let open = try client()
        #expect(try await open.call(Echo.echo, EchoMessage(id: 1)).id == 1)

        // An expired certificate replaces it: new connections fail, the open one goes on.
        let expired = try authority.issue(identity: "echo", start: Date() - 10 * 86_400, end: Date() - 86_400)
        try expired.key.write(toFile: "\(directory.path)/echo.key", atomically: true, encoding: .utf8)
        try expired.certificate.write(toFile: "\(directory.path)/echo.crt", atomically: true, encoding: .utf8)
        let refused = await #expect(throws: RPCError.self) { try await client().call(Echo.echo, EchoMessage(id: 2)) }
        #expect(refused?.message.contains("certificate has expired") == true, "\(refused?.message ?? "")")
        #expect(try await open.call(Echo.echo, EchoMessage(id: 3)).id == 3)

        // Renewed: the next connection takes the new one, with no restart; the open one still answers.
        #expect(try directory.prepare(["echo"], now: Date()) == ["echo"])
        #expect(try await client().call(Echo.echo, EchoMessage(id: 4)).id == 4)
        #expect(try await open.call(Echo.echo, EchoMessage(id: 5)).id == 5)
        #expect(reloadFailures.value == 0)
        await server.shutdown()
    }

    @Test func aCallWaitingForAHandshakeAnotherCallStartedKeepsItsOwnDeadline() async throws {
        // A peer that accepts and never answers: the first call's handshake waits out the connect timeout.
        let silent = try SilentListener()
        var configuration = RPCClient.Configuration()
        configuration.security = try TestPKI.client("gateway")
        configuration.retry = .none
        configuration.connectTimeout = .seconds(30)
        let client = RPCClient(endpoint: Endpoint(host: "127.0.0.1", port: silent.port, name: "echo"), configuration: configuration)
        let opener = Task { try await client.call(Echo.echo, EchoMessage(id: 1), options: CallOptions(timeout: .seconds(30))) }
        #expect(try await eventually { silent.hasPendingConnection })
        let started = ContinuousClock.now
        let error = await #expect(throws: RPCError.self) {
            try await client.call(Echo.echo, EchoMessage(id: 2), options: CallOptions(timeout: .milliseconds(300)))
        }
        #expect(error?.code == .deadlineExceeded)
        // Its own 300 ms, with room for a loaded machine; not the opener's 30 s.
        #expect(ContinuousClock.now - started < .seconds(10))
        opener.cancel()
        client.shutdown()
    }

    @Test func aPlaintextServerRefusesUndeclaredCallersOnlyWhenAskedToCheck() {
        let context = ServerContext(
            method: "test.Guarded/Write", metadata: Metadata(), deadline: nil, peer: "x", requestID: 1, peerIdentity: .unauthenticated,
            declaredCallers: ["deals"])
        #expect(CallerAuthorization().refusal(context)?.code == .permissionDenied)
        #expect(CallerAuthorization(allowsUnauthenticated: true).refusal(context) == nil)
        #expect(PeerIdentity.certificate("telephony-12").service == "telephony")
        #expect(PeerIdentity.certificate("gateway").service == "gateway")
        #expect(PeerIdentity.certificate("telephony-x").service == "telephony-x")
    }
}
