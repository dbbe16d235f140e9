import Contracts
import Foundation
import RPC
import Testing
import TelephonyService
import TestSupport
import Wire

/// T2–T8 over real processes: telephony's events reach deals, which makes one contact
/// and one deal of a new caller, sets missed-call tasks and completes them.
@Suite struct CallsEndToEndTests {
    struct System {
        let contacts: ServiceProcess
        let deals: ServiceProcess
        let telephony: ServiceProcess
        let contactsClient: RPCClient
        let dealsClient: RPCClient
        let telephonyClient: RPCClient

        func stop() async throws {
            for p in [telephony, deals, contacts] {
                p.signal(SIGTERM)
                _ = try await p.waitForExit()
            }
        }
    }

    static func start() async throws -> System {
        let folder = try temporaryFolder("calls")
        let dealsPort = try freePort()
        let contacts = try await ServiceProcess(
            executable: "switchboard-contacts",
            environment: ["CONTACTS_PORT": "0", "CONTACTS_ADMIN_PORT": "0", "CONTACTS_DATA_DIR": folder.appendingPathComponent("contacts").path])
        let deals = try await ServiceProcess(
            executable: "switchboard-deals",
            environment: [
                "DEALS_PORT": "\(dealsPort)", "DEALS_ADMIN_PORT": "0", "DEALS_DATA_DIR": folder.appendingPathComponent("deals").path,
                "DEALS_CONTACTS": "127.0.0.1:\(contacts.port)", "DEALS_LEAD_WAIT_MS": "5000",
            ])
        let telephony = try await ServiceProcess(
            executable: "switchboard-telephony",
            environment: [
                "TELEPHONY_PORT": "0", "TELEPHONY_ADMIN_PORT": "0", "TELEPHONY_DATA_DIR": folder.appendingPathComponent("telephony").path,
                "TELEPHONY_CONTACTS": "127.0.0.1:\(contacts.port)",
                "TELEPHONY_SUBSCRIBERS": "deals@127.0.0.1:\(dealsPort)",
            ])
        return System(
            contacts: contacts, deals: deals, telephony: telephony, contactsClient: RPCClient.test("contacts", port: contacts.port),
            dealsClient: RPCClient.test("deals", port: deals.port), telephonyClient: RPCClient.test("telephony-0", port: telephony.port))
    }

    static func staff(_ system: System, _ name: String, _ role: StaffRole, ext: String, supervisor: Int64? = nil) async throws -> Int64 {
        var member = StaffMember()
        member.firstName = name
        member.role = role
        member.extensions = [ext]
        member.supervisorID = supervisor
        return try await system.contactsClient.call(Contacts.createStaff, member).id
    }

    static let t0: Int64 = 1_760_000_000_000

    static func call(_ number: String, id: String, legs: [CallLeg], ended: Bool = false, direction: CallDirection = .inbound, staffNumber: String = "") -> CallReport {
        CallReport(
            provider: "ringostat", providerCallID: id, direction: direction, clientNumber: number, staffNumber: staffNumber,
            trackingNumber: "+74951112233", poolName: "yandex-direct", utmSource: "yandex", utmCampaign: "spring", legs: legs, ended: ended)
    }

    func deals(_ system: System) async throws -> [Deal] {
        var request = ListDealsRequest()
        request.pageSize = 100
        return try await system.dealsClient.call(Deals.listDeals, request).deals
    }

    func callBacks(_ system: System, deal: Int64, status: TaskStatus = .open) async throws -> [DealTask] {
        var request = ListTasksRequest()
        request.dealID = deal
        request.status = status
        return try await system.dealsClient.call(Deals.listTasks, request).tasks.filter { $0.kind == .callBack }
    }

    @Test func t3ToT8AForwardedCallBecomesOneDealAMissedCallTasksResponsibleAndSeniorAndReachingTheClientCompletesThem() async throws {
        let system = try await Self.start()
        let senior = try await Self.staff(system, "Senior", .seniorManager, ext: "200")
        let olga = try await Self.staff(system, "Olga", .manager, ext: "201", supervisor: senior)
        let ivan = try await Self.staff(system, "Ivan", .manager, ext: "203", supervisor: senior)
        _ = olga
        // T1/T4: forwarded from 201 (no answer) to 203 (Ivan answers), reported leg by leg, then again whole.
        let client = "79161234567"  // as Ringostat sends it
        let legs = [
            CallLeg(destination: "201", disposition: .noAnswer, startedAtMilliseconds: Self.t0, durationSeconds: 15),
            CallLeg(destination: "203", disposition: .answered, startedAtMilliseconds: Self.t0 + 15_000, durationSeconds: 90, talkSeconds: 80, recordingURL: "https://rec/1.mp3"),
        ]
        _ = try await system.telephonyClient.call(Telephony.recordCall, Self.call(client, id: "c1", legs: [legs[0]]))
        _ = try await system.telephonyClient.call(Telephony.recordCall, Self.call(client, id: "c1", legs: [legs[1]]))
        let whole = try await system.telephonyClient.call(Telephony.recordCall, Self.call(client, id: "c1", legs: legs, ended: true))
        #expect(whole.session.answeredByStaffID == ivan)
        #expect(try await eventuallyAsync(within: .seconds(20)) { try await deals(system).count == 1 })
        let deal = try #require(try await deals(system).first)
        #expect(deal.responsibleID == ivan && deal.source == "call")  // T4, T3
        let contact = try await system.contactsClient.call(Contacts.get, GetContactRequest(id: deal.contactID))
        #expect(contact.phones.map(\.number) == ["+79161234567"] && contact.source?.trackingNumber == "+74951112233" && contact.source?.utmSource == "yandex")
        var timeline = TimelineRequest()
        timeline.dealID = deal.id
        #expect(try await eventuallyAsync { try await system.dealsClient.call(Deals.timeline, timeline).entries.filter { $0.kind == "call" }.count == 1 })
        let entry = try #require(try await system.dealsClient.call(Deals.timeline, timeline).entries.first { $0.kind == "call" })
        #expect(entry.summary.contains("answered, 80 s") && entry.summary.contains("https://rec/1.mp3"))  // T8

        // T5: a missed call from the client: a call-back for Ivan and one for his senior.
        let missed = [CallLeg(destination: "203", disposition: .noAnswer, startedAtMilliseconds: Self.t0 + 3_600_000, durationSeconds: 20)]
        _ = try await system.telephonyClient.call(Telephony.recordCall, Self.call(client, id: "c2", legs: missed, ended: true))
        #expect(try await eventuallyAsync(within: .seconds(20)) { try await callBacks(system, deal: deal.id).count == 2 })
        #expect(Set(try await callBacks(system, deal: deal.id).compactMap(\.assigneeID)) == [ivan, senior])
        // Missed again: none more while those are open.
        let again = [CallLeg(destination: "203", disposition: .noAnswer, startedAtMilliseconds: Self.t0 + 3_900_000, durationSeconds: 20)]
        _ = try await system.telephonyClient.call(Telephony.recordCall, Self.call(client, id: "c3", legs: again, ended: true))
        #expect(try await eventuallyAsync { try await system.dealsClient.call(Deals.timeline, timeline).entries.filter { $0.kind == "call" }.count == 3 })
        #expect(try await callBacks(system, deal: deal.id).count == 2)
        #expect(try await deals(system).count == 1, "never a second open deal for one client")
        // T6: Ivan calls back and reaches the client: both are done.
        let back = [CallLeg(destination: client, staffID: ivan, disposition: .answered, startedAtMilliseconds: Self.t0 + 4_000_000, durationSeconds: 60, talkSeconds: 50)]
        _ = try await system.telephonyClient.call(Telephony.recordCall, Self.call(client, id: "c4", legs: back, ended: true, direction: .outbound, staffNumber: "203"))
        #expect(try await eventuallyAsync(within: .seconds(20)) { try await callBacks(system, deal: deal.id).isEmpty })
        #expect(try await callBacks(system, deal: deal.id, status: .done).count == 2)

        // T2: Olga (201) calls Ivan (203): internal, nothing made.
        let internalCall = try await system.telephonyClient.call(
            Telephony.recordCall, Self.call("201", id: "c5", legs: [CallLeg(destination: "203", disposition: .answered, startedAtMilliseconds: Self.t0 + 5_000_000, durationSeconds: 30, talkSeconds: 25)], ended: true, staffNumber: "203"))
        #expect(internalCall.session.direction == .internal)
        // A later outside call is seen by deals after the internal one, so once it is there, the internal one made nothing.
        _ = try await system.telephonyClient.call(Telephony.recordCall, Self.call(client, id: "c6", legs: [CallLeg(destination: "203", disposition: .answered, startedAtMilliseconds: Self.t0 + 6_000_000, durationSeconds: 30, talkSeconds: 20)], ended: true))
        #expect(try await eventuallyAsync { try await system.dealsClient.call(Deals.timeline, timeline).entries.filter { $0.kind == "call" }.count == 5 })
        #expect(try await deals(system).count == 1)
        #expect(try await system.contactsClient.call(Contacts.search, SearchContactsRequest()).contacts.count == 1)
        // T1, T5 (issue 22 item 4): Ivan answers; 3 s later the PBX reports a leg that rang
        // Olga, under another id: one answered call, and no call-back task comes of it.
        let answered = CallLeg(destination: "203", disposition: .answered, startedAtMilliseconds: Self.t0 + 7_000_000, durationSeconds: 30, talkSeconds: 20)
        let rangOlga = CallLeg(destination: "201", disposition: .noAnswer, startedAtMilliseconds: Self.t0 + 7_003_000, durationSeconds: 10)
        let one = try await system.telephonyClient.call(Telephony.recordCall, Self.call(client, id: "c7", legs: [answered], ended: true))
        let same = try await system.telephonyClient.call(Telephony.recordCall, Self.call(client, id: "c8", legs: [rangOlga], ended: true))
        #expect(!same.created && same.session.id == one.session.id && same.session.answered)
        #expect(try await eventuallyAsync { try await system.dealsClient.call(Deals.timeline, timeline).entries.filter { $0.kind == "call" }.count == 6 })
        #expect(try await callBacks(system, deal: deal.id).isEmpty)
        try await system.stop()
    }
}
