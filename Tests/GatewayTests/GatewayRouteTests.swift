import ContractServices
import Contracts
import Foundation
import Gateway
import HTTP
import RPC
import Sockets
import Synchronization
import Testing
import TestSupport
import Wire

/// Route-level gateway tests against a fake deals service in the test's process: the
/// gateway's own behaviour (status mapping, time budget, request ids) without starting
/// any process (issue 23 item 5).
@Suite struct GatewayRouteTests {
    static let adminKey = "0123456789abcdef0123"

    /// A deals service that answers GetDeal from a script: 1 is found, 2 is too slow for
    /// any budget, anything else is not found. It keeps the metadata and deadline it saw.
    final class FakeDeals: Sendable {
        let server: RPCServer
        let seen = Mutex<(metadata: Metadata, deadline: MonotonicInstant?)?>(nil)

        init() {
            var configuration = RPCServer.Configuration()
            configuration.log = { _, _ in }
            server = RPCServer(configuration: configuration)
            server.register(Deals.getDeal) { [self] request, context in
                self.seen.withLock { $0 = (context.metadata, context.deadline) }
                switch request.id {
                case 1:
                    var deal = Deal()
                    deal.id = 1
                    deal.title = "Windows for the Ivanovs"
                    return deal
                case 2:
                    try await Task.sleep(for: .seconds(30))
                    return Deal()
                default:
                    throw RPCError(.notFound, "deal \(request.id) not found")
                }
            }
        }

        /// The deals client the gateway is given: in-process, so no port is bound.
        var client: RPCClient { RPCClient(inProcess: server, name: "deals") }
    }

    static func gateway(deals: RPCClient, timeout: Duration = .seconds(5)) throws -> GatewayAPI {
        var configuration = GatewayAPI.Configuration()
        configuration.requestTimeout = timeout
        return GatewayAPI(
            contacts: RPCClient(host: "127.0.0.1", port: 1), deals: deals,
            keyring: try APIKeyring(parsing: "\(adminKey)=admin"), configuration: configuration)
    }

    static func get(_ api: GatewayAPI, _ path: String) async -> HTTPResponse {
        await api.handle(HTTPRequest(method: "GET", target: path, headers: [("Authorization", "Bearer \(adminKey)")]))
    }

    static func header(_ response: HTTPResponse, _ name: String) -> String? {
        response.headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    @Test func g5TheServiceHearsTheRequestIDTheClientIsAnsweredWithAndG4ItsBudget() async throws {
        let deals = FakeDeals()
        // Generous: a loaded machine may take seconds to run the first call; what is
        // checked is that this budget, not the client's 30 s default, reached the service.
        let api = try Self.gateway(deals: deals.client, timeout: .seconds(10))
        let started = MonotonicInstant.now()
        let found = await Self.get(api, "/v1/deals/1")
        let finished = MonotonicInstant.now()
        #expect(found.status == 200)
        let body = try JSONSerialization.jsonObject(with: Data(found.body)) as? [String: Any]
        #expect(body?["title"] as? String == "Windows for the Ivanovs")
        let (metadata, deadline) = try #require(deals.seen.withLock { $0 })
        #expect(metadata[Metadata.Key.requestID] == Self.header(found, "X-Request-Id"))
        #expect(metadata[Metadata.Key.caller] == "gateway")
        // The budget starts when the gateway takes the request, between these two moments.
        let seenDeadline = try #require(deadline)
        #expect(finished.duration(until: seenDeadline) <= .seconds(10) && started.duration(until: seenDeadline) > .seconds(1))

        let missing = await Self.get(api, "/v1/deals/9")
        #expect(missing.status == 404)
        #expect(Self.header(missing, "Content-Type") == "application/problem+json")
        await deals.server.shutdown(gracePeriod: .zero)
    }

    /// Issue 24 item 5: an engineer's day reads its deals and their contacts in one call
    /// each, and with deals down it is 503, never stops silently without their deal.
    @Test func g4MyDayReadsDealsAndContactsInOneCallEachAndIs503WhenDealsIsDown() async throws {
        func server() -> RPCServer {
            var configuration = RPCServer.Configuration()
            configuration.log = { _, _ in }
            return RPCServer(configuration: configuration)
        }
        let scheduling = server(), deals = server(), contacts = server()
        let calls = Mutex<[String]>([])
        scheduling.register(Scheduling.day) { request, _ in
            #expect(request.staffID == 2)
            return AppointmentList(appointments: (1...3).map { i in
                var a = Appointment()
                a.id = Int64(i)
                a.dealID = Int64(10 + i % 2)
                return a
            })
        }
        deals.register(Deals.getDeals) { request, _ in
            calls.withLock { $0.append("deals \(request.ids)") }
            return DealList(deals: request.ids.map { id in
                var deal = Deal()
                deal.id = id
                deal.title = "Deal \(id)"
                deal.contactID = id + 100
                return deal
            })
        }
        // Staff member 2 sees only their own (G3): the principal says so on every call.
        contacts.register(Contacts.team) { _, _ in StaffTeam(memberIDs: [2]) }
        contacts.register(Contacts.getContacts) { request, context in
            #expect(request.visibility == .everything, "a day's contacts are read explicitly unrestricted")
            #expect(context.principal == Principal(role: "staff", staffID: 2, visibility: Visibility(restricted: true, staffIDs: [2])))
            calls.withLock { $0.append("contacts \(request.ids)") }
            return ContactList(contacts: request.ids.map { id in
                var contact = Contact()
                contact.id = id
                contact.firstName = "Client \(id)"
                return contact
            })
        }
        let staffKey = "staff-two-0123456789abcdef"
        // What is read and when it is 503 is checked here, not the budget: generous, as the
        // in-process fakes share the suite's reactor.
        var configuration = GatewayAPI.Configuration()
        configuration.requestTimeout = .seconds(30)
        let api = GatewayAPI(
            services: ServiceClients([
                Scheduling.service: [RPCClient(inProcess: scheduling, name: "scheduling")], Deals.service: [RPCClient(inProcess: deals, name: "deals")],
                Contacts.service: [RPCClient(inProcess: contacts, name: "contacts")],
            ]),
            keyring: try APIKeyring(parsing: "\(Self.adminKey)=admin,\(staffKey)=staff:2"), configuration: configuration)
        let request = HTTPRequest(method: "GET", target: "/v1/me/day?date=2026-12-07", headers: [("Authorization", "Bearer \(staffKey)")])
        let day = await api.handle(request)
        #expect(day.status == 200)
        let stops = (try JSONSerialization.jsonObject(with: Data(day.body)) as? [String: Any])?["items"] as? [[String: Any]] ?? []
        #expect(stops.compactMap { $0["dealTitle"] as? String } == ["Deal 11", "Deal 10", "Deal 11"])
        #expect(stops.compactMap { $0["contactName"] as? String } == ["Client 111", "Client 110", "Client 111"])
        #expect(calls.withLock { $0 } == ["deals [10, 11]", "contacts [110, 111]"])

        await deals.shutdown(gracePeriod: .zero)
        let down = await api.handle(request)
        #expect(down.status == 503, "\(String(decoding: down.body, as: UTF8.self))")
        await scheduling.shutdown(gracePeriod: .zero)
        await contacts.shutdown(gracePeriod: .zero)
    }

    @Test func g4ASlowServiceIs504WithinTheBudgetAndADownOneIs503WithRetryAfter() async throws {
        let deals = FakeDeals()
        let api = try Self.gateway(deals: deals.client, timeout: .milliseconds(200))
        let started = MonotonicInstant.now()
        let slow = await Self.get(api, "/v1/deals/2")
        #expect(slow.status == 504)
        // Far from the handler's 30 s, with room for a machine the whole suite loads (CI saw 5.2 s once).
        #expect(started.duration(until: .now()) < .seconds(15), "answered on its budget, not after the handler's 30 s")
        await deals.server.shutdown(gracePeriod: .zero)

        let down = await Self.get(try Self.gateway(deals: deals.client), "/v1/deals/1")
        #expect(down.status == 503)
        #expect(Self.header(down, "Retry-After") == "1")
    }
}
