import Contracts
import Foundation
import RPC
import ServiceKit
import Storage
import Testing
import TestSupport
import Wire

/// Issue 24 item 6, P2: a subscriber takes a delivery only from the publisher the
/// topology declares for every event in it, as its certificate names it.
@Suite struct EventPublisherTests {
    static func merged(_ id: String) -> EventEnvelope {
        EventEnvelope(id: id, type: Contacts.Event.merged, aggregateID: "contact-1", sequence: 1, occurredAtMilliseconds: 0, source: "contacts", payload: [])
    }

    @Test func p2AnEventIsTakenOnlyFromItsPublisher() async throws {
        let folder = try temporaryFolder("publisher")
        let database = try Database(path: folder.appendingPathComponent("deals.sqlite").path, migrations: [])
        let inbox = EventInbox(database: database)
        let applied = Counter()
        inbox.on(Contacts.Event.merged) { _, _ in applied.increment() }
        var configuration = RPCServer.Configuration()
        configuration.log = { _, _ in }
        configuration.secure(as: "deals")
        configuration.interceptors = [CallerAuthorization()]
        let server = RPCServer(configuration: configuration)
        server.register(inbox)
        try server.start()

        // Billing may deliver events (Events names every service), but not contacts' events.
        let billing = RPCClient.test("deals", port: server.port, as: "billing")
        let error = await #expect(throws: RPCError.self) { try await billing.call(Events.deliver, EventBatch(events: [Self.merged("forged")])) }
        #expect(error?.code == .permissionDenied)
        #expect(error?.message == "billing does not publish contact.merged (Protocols/Contracts/Topology.swift)")
        #expect(applied.value == 0)

        let contacts = RPCClient.test("deals", port: server.port, as: "contacts")
        #expect(try await contacts.call(Events.deliver, EventBatch(events: [Self.merged("real")])).refused.isEmpty)
        #expect(applied.value == 1)
        // The forged one was never recorded as received: the real publisher's event of that id would still apply.
        #expect(try await contacts.call(Events.deliver, EventBatch(events: [Self.merged("forged")])).refused.isEmpty)
        #expect(applied.value == 2)
        await server.shutdown()
        try await database.close()
    }

    @Test func p2ProcessesThatProveNoIdentityAreNotCheckedHere() {
        let batch = EventBatch(events: [Self.merged("x")])
        #expect(EventInbox.refusal(of: batch, from: .inProcess) == nil)
        #expect(EventInbox.refusal(of: batch, from: .unauthenticated) == nil)
        #expect(EventInbox.refusal(of: batch, from: .certificate("contacts")) == nil)
        #expect(EventInbox.refusal(of: batch, from: .certificate("telephony-1"))?.code == .permissionDenied)
        #expect(EventInbox.refusal(of: batch, from: .certificate("gateway"))?.code == .permissionDenied)
    }
}
