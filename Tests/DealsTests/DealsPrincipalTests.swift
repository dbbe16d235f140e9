import ContractServices
import Contracts
import RPC
import ServiceKit
import Testing
import TestSupport
import Wire

/// G3 in deals itself (issue 24 item 4): over RPC, a request that does not say what its
/// caller sees is narrowed to what the call's principal sees, on every read and write
/// path, as the gateway's route test holds the REST side; one that says it keeps it.
@Suite struct DealsPrincipalTests {
    /// Deals of staff 1, 2 and 3, and one nobody is responsible for.
    struct Fixture {
        let client: RPCClient
        let server: RPCServer
        let ids: [Int64: Int64]  // responsible (0: nobody) -> deal

        init() async throws {
            let contacts = try FakeContacts()
            let deals = try DealsFixture(contactsPort: contacts.server.port)
            var configuration = RPCServer.Configuration()
            configuration.log = { _, _ in }
            configuration.interceptors = [PrincipalCheck()]
            server = RPCServer(configuration: configuration)
            server.register(deals.api)
            var ids: [Int64: Int64] = [:]
            for owner in [Int64(0), 1, 2, 3] {
                ids[owner] = try await deals.openDeal("deal of \(owner)", contact: 100, responsible: owner == 0 ? nil : owner).id
            }
            self.ids = ids
            client = RPCClient(inProcess: server, name: "deals")
        }

        func options(_ principal: Principal?) -> CallOptions {
            .acting(for: principal)
        }
    }

    static let admin = Principal(role: "admin", credentialID: 4, visibility: nil)
    static let manager = Principal(role: "staff", staffID: 1, visibility: Visibility(restricted: true, staffIDs: [1, 2]))
    static let operatorThree = Principal(role: "staff", staffID: 3, visibility: Visibility(restricted: true, staffIDs: [3]))

    /// Whom each principal sees (by responsible), and everything for a call with none (another service).
    static let table: [(name: String, principal: Principal?, sees: Set<Int64>)] = [
        ("admin", admin, [0, 1, 2, 3]), ("manager of 1 and 2", manager, [1, 2]), ("operator 3", operatorThree, [3]), ("another service", nil, [0, 1, 2, 3]),
    ]

    @Test(arguments: table.indices) func g3EveryReadAndWriteAnswersWhatThePrincipalSees(_ row: Int) async throws {
        let (name, principal, sees) = Self.table[row]
        let f = try await Fixture()
        let options = f.options(principal)
        let visible = Set(sees.compactMap { f.ids[$0] })
        let wrong = await VisibilityProbe.mismatches(f.ids.values, visible: visible) {
            _ = try await f.client.call(Deals.getDeal, GetDealRequest(id: $0), options: options)
        }
        #expect(wrong.isEmpty, "\(name): getDeal \(wrong)")
        let batch = try await f.client.call(Deals.getDeals, GetDealsRequest(ids: Array(f.ids.values).sorted()), options: options)
        #expect(Set(batch.deals.map(\.id)) == visible, "\(name): getDeals")
        #expect(Set(try await f.client.call(Deals.listDeals, ListDealsRequest(), options: options).deals.map(\.id)) == visible, "\(name): listDeals")
        var timeline = TimelineRequest()
        timeline.contactID = 100
        let entries = try await f.client.call(Deals.timeline, timeline, options: options).entries
        #expect(Set(entries.map(\.dealID)).isSubset(of: visible), "\(name): timeline")
        // A write to a deal the principal does not see is not_found, and changes nothing.
        for (_, id) in f.ids where !visible.contains(id) {
            var stage = ChangeStageRequest()
            stage.dealID = id
            stage.stageID = 2
            let error = await #expect(throws: RPCError.self) { try await f.client.call(Deals.changeStage, stage, options: options) }
            #expect(error?.code == .notFound, "\(name): changeStage \(id)")
            #expect(try await f.client.call(Deals.getDeal, GetDealRequest(id: id)).stageID != 2)
        }
        await f.server.shutdown()
    }

    @Test func g3ARequestThatSaysWhatItsCallerSeesKeepsIt() async throws {
        let f = try await Fixture()
        // The gateway widening on purpose (a contact of a deal the member works on).
        let widened = try await f.client.call(Deals.getDeals, GetDealsRequest(ids: Array(f.ids.values), visibility: .everything), options: f.options(Self.operatorThree))
        #expect(widened.deals.count == 4)
        await f.server.shutdown()
    }

    @Test func g3OnlyTheGatewaysCertificateMayNameAPrincipal() {
        var metadata = Metadata()
        metadata[Principal.metadataKey] = Self.admin.metadataValue
        func context(_ identity: PeerIdentity) -> ServerContext {
            ServerContext(method: "switchboard.deals.Deals/GetDeal", metadata: metadata, deadline: nil, peer: "x", requestID: 1, peerIdentity: identity)
        }
        #expect(PrincipalCheck.refusal(context(.certificate("gateway"))) == nil)
        #expect(PrincipalCheck.refusal(context(.certificate("notifications")))?.code == .permissionDenied)
        #expect(PrincipalCheck.refusal(context(.certificate("telephony-1")))?.code == .permissionDenied)
        #expect(Principal(metadataValue: Self.manager.metadataValue) == Self.manager)
        #expect(Principal(metadataValue: "role=staff;staff=3;sees=3;sees=*") == nil, "a key said twice")
    }

    @Test func g3APrincipalThatCannotBeReadIsRefusedNotIgnored() async throws {
        let f = try await Fixture()
        var metadata = Metadata()
        metadata[Principal.metadataKey] = "role=staff;staff=3"
        let error = await #expect(throws: RPCError.self) { try await f.client.call(Deals.listDeals, ListDealsRequest(), options: CallOptions(metadata: metadata)) }
        #expect(error?.code == .invalidArgument)
        await f.server.shutdown()
    }
}
