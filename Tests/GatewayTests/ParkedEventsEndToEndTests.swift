import Contracts
import Foundation
import RPC
import Synchronization
import Testing
import TestSupport
import Wire

/// P2 over the real processes: contacts' events to a subscriber that refuses one are
/// parked, listed, replayed and discarded through the gateway, and show on /metrics.
@Suite struct ParkedEventsEndToEndTests {
    /// A subscriber of contacts' events that refuses those of `refused` aggregates
    /// (until fixed) and records what it takes.
    final class Audit: Sendable {
        let server: RPCServer
        let refused = Mutex<Set<String>>([])
        let taken = Mutex<[String]>([])

        init() throws {
            var configuration = RPCServer.Configuration(host: "127.0.0.1", port: 0)
            configuration.log = { _, _ in }
            configuration.secure(as: "audit")
            server = RPCServer(configuration: configuration)
            server.register(Events.deliver) { [self] batch, _ in
                var report = DeliveryReport()
                let refusing = refused.withLock { $0 }
                for event in batch.events {
                    if refusing.contains(event.aggregateID) {
                        report.refused.append(RefusedEvent(eventID: event.id, code: Int64(Status.Code.failedPrecondition.rawValue), message: "no audit rule for \(event.aggregateID)"))
                    } else {
                        taken.withLock { $0.append(event.aggregateID) }
                    }
                }
                return report
            }
            try server.start()
        }
    }

    func contact(_ system: SystemFixture, _ phone: String) async throws -> Int {
        let reply = try await system.request("POST", "/v1/contacts", body: #"{"firstName":"P","phones":["\#(phone)"]}"#)
        return try #require((reply.json["contact"] as? [String: Any])?["id"] as? Int)
    }

    @Test func p2ARefusedEventIsParkedListedReplayedAfterTheFixAndOthersFlow() async throws {
        let audit = try Audit()
        let system = try await SystemFixture.start(subscribers: "audit@127.0.0.1:\(audit.server.port)=*")
        let (a, b, c, d) = (try await contact(system, "+79160000001"), try await contact(system, "+79160000002"), try await contact(system, "+79160000003"), try await contact(system, "+79160000004"))
        audit.refused.withLock { $0 = ["contact-\(b)"] }
        #expect(try await system.request("POST", "/v1/contacts/\(a)/merge", body: #"{"from":\#(b)}"#).status == 200)
        #expect(try await system.request("POST", "/v1/contacts/\(c)/merge", body: #"{"from":\#(d)}"#).status == 200)
        // The other aggregate flows past the refused one.
        #expect(try await eventually { audit.taken.withLock { $0 } == ["contact-\(d)"] })
        var listed: [[String: Any]] = []
        #expect(try await eventuallyAsync {
            listed = (try? await system.request("GET", "/v1/admin/events/contacts/parked"))?.json["items"] as? [[String: Any]] ?? []
            return listed.count == 1
        })
        let parked = listed[0]
        #expect(parked["subscriber"] as? String == "audit" && parked["type"] as? String == "contact.merged")
        #expect(parked["aggregateId"] as? String == "contact-\(b)" && parked["code"] as? String == "failed_precondition")
        #expect(parked["message"] as? String == "no audit rule for contact-\(b)")
        let id = try #require(parked["id"] as? Int)
        // Only the admin's business; deals had that event delivered and has nothing parked.
        #expect(try await system.request("GET", "/v1/admin/events/contacts/parked", key: readerKey).status == 403)
        #expect((try await system.request("GET", "/v1/admin/events/deals/parked").json["items"] as? [Any])?.isEmpty == true)
        #expect(try await system.request("GET", "/v1/admin/events/payroll/parked").status == 404)
        #expect(try await system.request("GET", "/v1/admin/events/contacts/parked?subscriber=nobody").status == 422)
        #expect(try await system.request("POST", "/v1/admin/events/contacts/parked/\(id + 100)/replay").status == 404)
        let metrics = try await httpRequest(port: system.contacts.adminPort, "GET", "/metrics").body
        #expect(metrics.contains(#"switchboard_events_parked{service="contacts",subscriber="audit"} 1"#))
        #expect(metrics.contains(#"switchboard_event_deliveries_total{service="contacts",subscriber="audit",outcome="refused"} 1"#))

        // Replayed before the fix: refused again, still parked, the attempt counted.
        let early = try await system.request("POST", "/v1/admin/events/contacts/parked/\(id)/replay")
        #expect(early.status == 200 && early.json["delivered"] as? Int == 0)
        #expect(((early.json["stillParked"] as? [[String: Any]])?.first?["attempts"] as? Int) == 2)
        audit.refused.withLock { $0 = [] }
        let replayed = try await system.request("POST", "/v1/admin/events/contacts/parked/\(id)/replay")
        #expect(replayed.status == 200 && replayed.json["delivered"] as? Int == 1)
        #expect(audit.taken.withLock { $0 } == ["contact-\(d)", "contact-\(b)"])
        #expect((try await system.request("GET", "/v1/admin/events/contacts/parked").json["items"] as? [Any])?.isEmpty == true)
        #expect(try await system.request("DELETE", "/v1/admin/events/contacts/parked/\(id)").status == 404)
        try await system.stop()
        await audit.server.shutdown()
    }

    @Test func p2ADiscardedEventIsNeverDelivered() async throws {
        let audit = try Audit()
        let system = try await SystemFixture.start(subscribers: "audit@127.0.0.1:\(audit.server.port)=*")
        let (a, b) = (try await contact(system, "+79160000011"), try await contact(system, "+79160000012"))
        audit.refused.withLock { $0 = ["contact-\(b)"] }
        #expect(try await system.request("POST", "/v1/contacts/\(a)/merge", body: #"{"from":\#(b)}"#).status == 200)
        var id = 0
        #expect(try await eventuallyAsync {
            let items = (try? await system.request("GET", "/v1/admin/events/contacts/parked?subscriber=audit&limit=10"))?.json["items"] as? [[String: Any]] ?? []
            id = items.first?["id"] as? Int ?? 0
            return id > 0
        })
        audit.refused.withLock { $0 = [] }
        let discarded = try await system.request("DELETE", "/v1/admin/events/contacts/parked/\(id)")
        #expect(discarded.status == 200 && discarded.json["delivered"] as? Int == 0)
        #expect((try await system.request("GET", "/v1/admin/events/contacts/parked").json["items"] as? [Any])?.isEmpty == true)
        #expect(audit.taken.withLock { $0 }.isEmpty)
        try await system.stop()
        await audit.server.shutdown()
    }
}
