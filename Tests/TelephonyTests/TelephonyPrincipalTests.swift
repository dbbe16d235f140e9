import ContractServices
import Contracts
import Foundation
import RPC
import ServiceKit
import Testing
import TestSupport
import Wire

/// G3 in telephony itself (issue 24 item 4): over RPC, a read that does not say what its
/// caller sees answers what the call's principal sees: the calls that rang their staff.
@Suite struct TelephonyPrincipalTests {
    /// Contacts as telephony asks it: extensions 201, 202 and 203 are staff 1, 2 and 3.
    static func fakeContacts() throws -> RPCServer {
        var configuration = RPCServer.Configuration()
        configuration.log = { _, _ in }
        configuration.secure(as: "contacts")
        let server = RPCServer(configuration: configuration)
        server.register(Contacts.findStaffByNumber) { request, _ in
            guard let id = ["201": Int64(1), "202": 2, "203": 3][request.number] else { throw RPCError.notFound("no staff member has \(request.number)") }
            var member = StaffMember()
            member.id = id
            return member
        }
        try server.start()
        return server
    }

    /// Records `report`, again while telephony cannot yet reach contacts for the staff lookup
    /// (its connection is still being opened on a loaded suite); a report is idempotent (T1).
    static func record(_ report: CallReport, _ client: RPCClient) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            let outcome: Result<RecordCallResponse, RPCError>
            do {
                outcome = .success(try await client.call(Telephony.recordCall, report))
            } catch {
                outcome = .failure(error)
            }
            switch outcome {
            case let .success(response):
                return response.session.id
            case let .failure(error):
                let momentary = error.code == .unavailable || error.code == .deadlineExceeded
                guard momentary, ContinuousClock.now < deadline else { throw error }
            }
        }
    }

    static let table: [(name: String, principal: Principal?, sees: Set<Int64>)] = [
        ("admin", Principal(role: "admin", visibility: nil), [1, 2, 3]),
        ("manager of 1 and 2", Principal(role: "staff", staffID: 1, visibility: Visibility(restricted: true, staffIDs: [1, 2])), [1, 2]),
        ("operator 3", Principal(role: "staff", staffID: 3, visibility: Visibility(restricted: true, staffIDs: [3])), [3]),
        ("another service", nil, [1, 2, 3]),
    ]

    @Test(arguments: table.indices) func g3CallsAnswerWhatThePrincipalSees(_ row: Int) async throws {
        let (name, principal, sees) = Self.table[row]
        let contacts = try Self.fakeContacts()
        let folder = try temporaryFolder("telephony-g3")
        let telephony = try await ServiceHost.start(
            .telephony,
            environment: TestPKI.environment.merging([
                "TELEPHONY_PORT": "0", "TELEPHONY_ADMIN_PORT": "0", "TELEPHONY_DATA_DIR": folder.path, "TELEPHONY_CONTACTS": "127.0.0.1:\(contacts.port)",
            ]) { $1 },
            logger: Logger(service: "telephony", write: { _ in }))
        let client = telephony.inProcessClient(name: "telephony")
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        var byStaff: [Int64: String] = [:]
        for staff in Int64(1)...3 {
            let leg = CallLeg(destination: "20\(staff)", disposition: .answered, startedAtMilliseconds: now - 600_000, durationSeconds: 40, talkSeconds: 30)
            let report = CallReport(provider: "api", providerCallID: "g3-\(staff)", direction: .inbound, clientNumber: "+7916555000\(staff)", legs: [leg], ended: true)
            byStaff[staff] = try await Self.record(report, client)
        }
        let options = CallOptions.acting(for: principal)
        let visible = Set(sees.compactMap { byStaff[$0] })
        let wrong = await VisibilityProbe.mismatches(byStaff.values, visible: visible) {
            _ = try await client.call(Telephony.getCall, GetCallRequest(id: $0), options: options)
        }
        #expect(wrong.isEmpty, "\(name): getCall \(wrong)")
        #expect(Set(try await client.call(Telephony.listCalls, ListCallsRequest(), options: options).calls.map(\.id)) == visible, "\(name): listCalls")
        let stats = try await client.call(Telephony.stats, CallStatsRequest(fromMilliseconds: now - 3_600_000, toMilliseconds: now + 60_000), options: options)
        #expect(stats.calls == Int64(visible.count), "\(name): stats")
        await telephony.stop()
        await contacts.shutdown()
    }
}
