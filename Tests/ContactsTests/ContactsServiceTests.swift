import ContactsService
import Contracts
import Foundation
import RPC
import ServiceKit
import Storage
import Synchronization
import Testing
import TestSupport
import Wire

/// The contacts service hosted in the test's process (ServiceHost.start, as its
/// executable runs it), with its own data folder and its log kept for the test.
struct ContactsFixture {
    let service: RunningService
    let client: RPCClient
    let dataFolder: URL
    let log: LogLines

    static func start(dataFolder: URL? = nil, extra: [String: String] = [:]) async throws -> ContactsFixture {
        let folder = try dataFolder ?? temporaryFolder("contacts")
        let log = LogLines()
        let service = try await ServiceHost.start(
            .contacts,
            environment: ["CONTACTS_PORT": "0", "CONTACTS_ADMIN_PORT": "0", "CONTACTS_DATA_DIR": folder.path].merging(TestPKI.environment) { $1 }
                .merging(extra) { $1 },
            logger: Logger(service: "contacts", write: log.append))
        return ContactsFixture(service: service, client: service.inProcessClient(name: "contacts"), dataFolder: folder, log: log)
    }

    func stop() async throws {
        client.shutdown()
        await service.stop()
    }
}

func draft(first: String = "", last: String = "", emails: [String] = [], phones: [String] = []) -> ContactDraft {
    var d = ContactDraft()
    d.firstName = first
    d.lastName = last
    d.emails = emails
    d.phones = phones
    return d
}

@Suite struct ContactsServiceTests {
    @Test func c2SecondRequestMatchesByPhoneAndAddsTheNewEmail() async throws {
        let fixture = try await ContactsFixture.start()
        let first = try await fixture.client.call(
            Contacts.matchOrCreate, MatchOrCreateRequest(draft: draft(first: "Анна", phones: ["8 916 123-45-67"])))
        #expect(first.created)
        #expect(first.contact.phones == [Phone(number: "+79161234567")])
        let second = try await fixture.client.call(
            Contacts.matchOrCreate,
            MatchOrCreateRequest(draft: draft(first: "Anna", emails: ["Anna@Example.com"], phones: ["+7 (916) 123 45 67"])))
        #expect(!second.created)
        #expect(second.matchedBy == .phone && second.matchedValue == "+79161234567")
        #expect(second.contact.id == first.contact.id)
        #expect(second.contact.emails == ["anna@example.com"])
        let read = try await fixture.client.call(Contacts.get, GetContactRequest(id: first.contact.id))
        #expect(read.emails == ["anna@example.com"] && read.firstName == "Анна")
        try await fixture.stop()
    }

    @Test func c2FiftyConcurrentCallsForOnePersonCreateOneContact() async throws {
        let fixture = try await ContactsFixture.start()
        let responses = try await withThrowingTaskGroup(of: MatchOrCreateResponse.self) { group in
            for i in 0..<50 {
                group.addTask {
                    // Half know the email, half the phone, all the same person.
                    let d = i % 2 == 0
                        ? draft(first: "Ivan", emails: ["ivan@example.com"], phones: ["+79001112233"])
                        : draft(first: "Ivan", phones: ["8 900 111 22 33"])
                    return try await fixture.client.call(Contacts.matchOrCreate, MatchOrCreateRequest(draft: d))
                }
            }
            var all: [MatchOrCreateResponse] = []
            for try await response in group { all.append(response) }
            return all
        }
        #expect(Set(responses.map(\.contact.id)).count == 1)
        #expect(responses.filter(\.created).count == 1)
        let page = try await fixture.client.call(Contacts.search, SearchContactsRequest())
        #expect(page.contacts.count == 1)
        try await fixture.stop()
    }

    @Test func c1InvalidInputIsRefusedFieldByFieldAndNothingIsStored() async throws {
        let fixture = try await ContactsFixture.start()
        let error = await #expect(throws: RPCError.self) {
            try await fixture.client.call(
                Contacts.matchOrCreate,
                MatchOrCreateRequest(draft: draft(first: "Bad", emails: ["not-an-email"], phones: ["+7 916", "call me"])))
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.details.map(\.field) == ["emails[0]", "phones[0]", "phones[1]"])
        #expect(try await fixture.client.call(Contacts.search, SearchContactsRequest()).contacts.isEmpty)
        let missing = await #expect(throws: RPCError.self) {
            try await fixture.client.call(Contacts.get, GetContactRequest(id: 999))
        }
        #expect(missing?.code == .notFound)
        try await fixture.stop()
    }

    @Test func c3DuplicatesAreListedAndMergeLeavesATombstoneAndAnEvent() async throws {
        let fixture = try await ContactsFixture.start()
        // Two contacts sharing a phone: created by the name policy refusing to match.
        let a = try await fixture.client.call(
            Contacts.matchOrCreate, MatchOrCreateRequest(draft: draft(first: "Olga", last: "Ivanova", phones: ["+79005550001"])))
        var second = draft(first: "Olga", last: "Sidorova", emails: ["olga@example.com"], phones: ["+79005550001"])
        second.tags = ["donor"]
        let b = try await fixture.client.call(
            Contacts.matchOrCreate, MatchOrCreateRequest(draft: second, requireNameMatch: true))
        #expect(b.created && b.contact.id != a.contact.id)
        let c = try await fixture.client.call(Contacts.matchOrCreate, MatchOrCreateRequest(draft: draft(first: "Third", emails: ["third@example.com"])))

        let groups = try await fixture.client.call(Contacts.listDuplicates, ListDuplicatesRequest())
        #expect(groups.groups == [DuplicateGroup(contactIDs: [a.contact.id, b.contact.id], sharedKeys: ["+79005550001"])])

        let merged = try await fixture.client.call(
            Contacts.merge, MergeContactsRequest(survivorID: a.contact.id, mergedID: b.contact.id, mergedBy: "admin"))
        #expect(merged.contact.emails == ["olga@example.com"])
        #expect(merged.contact.tags == ["donor"])
        #expect(merged.fieldsTaken.contains("emails"))
        let tombstone = try await fixture.client.call(Contacts.get, GetContactRequest(id: b.contact.id))
        #expect(tombstone.mergedInto == a.contact.id)
        #expect(try await fixture.client.call(Contacts.listDuplicates, ListDuplicatesRequest()).groups.isEmpty)
        // Asking again is a repeat: the same merge record, nothing merged twice (one event below).
        let again = try await fixture.client.call(
            Contacts.merge, MergeContactsRequest(survivorID: a.contact.id, mergedID: b.contact.id, mergedBy: "admin"))
        #expect(again.mergeID == merged.mergeID && again.fieldsTaken == merged.fieldsTaken && again.contact.id == a.contact.id)
        // Into another contact it is refused: b is a tombstone now.
        let elsewhere = await #expect(throws: RPCError.self) {
            try await fixture.client.call(Contacts.merge, MergeContactsRequest(survivorID: c.contact.id, mergedID: b.contact.id, mergedBy: "admin"))
        }
        #expect(elsewhere?.code == .failedPrecondition)
        try await fixture.stop()

        // The event and the audit record are in the database, written with the merge.
        let database = try Database(
            path: fixture.dataFolder.appendingPathComponent("contacts.sqlite").path, migrations: ContactsSchema.migrations)
        let events = try await database.pendingEvents(limit: 10)
        #expect(events.map(\.type) == [Contacts.Event.merged])
        let payload = try ContactMerged(wireBytes: events[0].payload)
        #expect(payload.survivorID == a.contact.id && payload.mergedID == b.contact.id)
        let audit = try await database.read { try $0.queryFirst("SELECT merged_by, fields_taken FROM contact_merges") { ($0.string(0), $0.string(1)) } }
        #expect(audit?.0 == "admin")
        #expect(audit?.1.contains("emails") == true)
    }

    @Test func c6SearchFiltersAndPagesWithCursors() async throws {
        let fixture = try await ContactsFixture.start()
        for i in 0..<7 {
            var d = draft(first: i < 4 ? "Maria" : "Petr", last: "N\(i)", emails: ["p\(i)@example.com"])
            d.tags = i % 2 == 0 ? ["vip"] : []
            d.source = ContactSource(channel: i < 3 ? "web" : "call")
            _ = try await fixture.client.call(Contacts.matchOrCreate, MatchOrCreateRequest(draft: d))
        }
        var request = SearchContactsRequest()
        request.namePrefix = "mar"
        request.pageSize = 3
        let page1 = try await fixture.client.call(Contacts.search, request)
        #expect(page1.contacts.count == 3 && !page1.nextCursor.isEmpty)
        request.cursor = page1.nextCursor
        let page2 = try await fixture.client.call(Contacts.search, request)
        #expect(page2.contacts.count == 1 && page2.nextCursor.isEmpty)
        #expect(Set((page1.contacts + page2.contacts).map(\.firstName)) == ["Maria"])

        var tagged = SearchContactsRequest()
        tagged.tag = "VIP"
        tagged.sourceChannel = "web"
        #expect(try await fixture.client.call(Contacts.search, tagged).contacts.map(\.lastName) == ["N0", "N2"])

        var byEmail = SearchContactsRequest()
        byEmail.email = " P5@Example.com"
        #expect(try await fixture.client.call(Contacts.search, byEmail).contacts.map(\.lastName) == ["N5"])

        var bad = SearchContactsRequest()
        bad.cursor = "forged"
        let error = await #expect(throws: RPCError.self) { try await fixture.client.call(Contacts.search, bad) }
        #expect(error?.code == .invalidArgument)
        try await fixture.stop()
    }

    @Test func c1UpdateChangesOnlyTheNamedFieldsAndSoftDeleteHides() async throws {
        let fixture = try await ContactsFixture.start()
        let created = try await fixture.client.call(
            Contacts.matchOrCreate, MatchOrCreateRequest(draft: draft(first: "Old", emails: ["u@example.com"])))
        var update = UpdateContactRequest(id: created.contact.id, fieldMask: ["lastName", "phones"])
        update.contact.lastName = "Newname"
        update.contact.phones = ["+7 999 000 11 22"]
        update.contact.company = "not named, so not changed"
        let updated = try await fixture.client.call(Contacts.update, update)
        #expect(updated.firstName == "Old" && updated.lastName == "Newname" && updated.company.isEmpty)
        #expect(updated.phones == [Phone(number: "+79990001122")] && updated.emails == ["u@example.com"])

        // A bad value, a field a patch may not change, or one the schema limits: refused, nothing changes.
        for (mask, field) in [(["emails"], "emails[0]"), (["id"], "id"), (["firstName"], "firstName")] {
            var bad = UpdateContactRequest(id: created.contact.id, fieldMask: mask)
            bad.contact.emails = ["nope"]
            bad.contact.firstName = String(repeating: "é", count: 201)
            let error = await #expect(throws: RPCError.self) { try await fixture.client.call(Contacts.update, bad) }
            #expect(error?.code == .invalidArgument && error?.details.first?.field == field)
        }
        let kept = try await fixture.client.call(Contacts.get, GetContactRequest(id: created.contact.id))
        #expect(kept.emails == ["u@example.com"] && kept.firstName == "Old")

        // Named and left empty: cleared.
        let cleared = try await fixture.client.call(Contacts.update, UpdateContactRequest(id: created.contact.id, fieldMask: ["phones"]))
        #expect(cleared.phones.isEmpty && cleared.lastName == "Newname")

        _ = try await fixture.client.call(Contacts.delete, DeleteContactRequest(id: created.contact.id))
        #expect(try await fixture.client.call(Contacts.get, GetContactRequest(id: created.contact.id, includeDeleted: true)).deleted)
        // As the API has it, a deleted contact is gone.
        await #expect(throws: RPCError.self) { try await fixture.client.call(Contacts.get, GetContactRequest(id: created.contact.id)) }
        #expect(try await fixture.client.call(Contacts.search, SearchContactsRequest()).contacts.isEmpty)
        try await fixture.stop()
    }

    @Test func c4StaffAreFoundByAnyOfTheirNumbers() async throws {
        let fixture = try await ContactsFixture.start()
        var senior = StaffMember()
        senior.firstName = "Sergey"
        senior.role = .seniorManager
        senior.extensions = ["100"]
        let boss = try await fixture.client.call(Contacts.createStaff, senior)
        var manager = StaffMember()
        manager.firstName = "Marina"
        manager.role = .manager
        manager.extensions = ["101"]
        manager.mobiles = ["8 916 000-00-01"]
        manager.supervisorID = boss.id
        let created = try await fixture.client.call(Contacts.createStaff, manager)
        #expect(created.mobiles == ["+79160000001"])
        #expect(try await fixture.client.call(Contacts.findStaffByNumber, FindStaffByNumberRequest(number: "101")).id == created.id)
        #expect(try await fixture.client.call(Contacts.findStaffByNumber, FindStaffByNumberRequest(number: "+7 916 000 00 01")).id == created.id)
        let unknown = await #expect(throws: RPCError.self) {
            try await fixture.client.call(Contacts.findStaffByNumber, FindStaffByNumberRequest(number: "+79169999999"))
        }
        #expect(unknown?.code == .notFound)
        var clash = StaffMember()
        clash.firstName = "Other"
        clash.role = .operator_
        clash.extensions = ["101"]
        let error = await #expect(throws: RPCError.self) { try await fixture.client.call(Contacts.createStaff, clash) }
        #expect(error?.code == .alreadyExists)
        // Issue 23 item 1: the service keeps the schema's limits over the wire, in the gateway's words.
        var bad = StaffMember()
        bad.firstName = "  "
        bad.extensions = ["10a", "1234567"]
        bad.mobiles = ["8 916 000-00-02", String(repeating: "1", count: 51)]
        let refused = await #expect(throws: RPCError.self) { try await fixture.client.call(Contacts.createStaff, bad) }
        #expect(refused?.details == [
            FieldViolation(field: "firstName", description: "must not be empty or only spaces"),
            FieldViolation(field: "role", description: "is required"),
            FieldViolation(field: "extensions[0]", description: "must be digits only (not \"10a\")"),
            FieldViolation(field: "extensions[1]", description: "must be at most 6 characters, not 7"),
            FieldViolation(field: "mobiles[1]", description: "must be at most 50 characters, not 51"),
        ])
        #expect(try await fixture.client.call(Contacts.listStaff, ListStaffRequest()).members.count == 2)
        try await fixture.stop()
    }

    @Test func adminPortAnswersLivenessReadinessAndMetrics() async throws {
        let fixture = try await ContactsFixture.start()
        _ = try await fixture.client.call(Contacts.matchOrCreate, MatchOrCreateRequest(draft: draft(first: "Metric", emails: ["m@example.com"])))
        var metadata = Metadata()
        metadata[Metadata.Key.requestID] = "req-abc-123"
        _ = try? await fixture.client.call(Contacts.get, GetContactRequest(id: 12345), options: CallOptions(metadata: metadata))
        // The failed call is logged as JSON with the caller's request id.
        #expect(try await eventually {
            fixture.log.all.split(separator: "\n").contains { $0.contains("\"event\":\"call failed\"") && $0.contains("\"request_id\":\"req-abc-123\"") && $0.contains("\"code\":\"not_found\"") }
        })
        let port = fixture.service.adminPort
        #expect(port > 0)
        #expect(try httpGet(port: port, "/livez").status == 200)
        #expect(try httpGet(port: port, "/readyz").status == 200)
        let metrics = try httpGet(port: port, "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.body.contains(
            "switchboard_rpc_calls_total{service=\"contacts\",method=\"switchboard.contacts.Contacts/MatchOrCreate\",code=\"ok\"} 1"))
        #expect(metrics.body.contains("method=\"switchboard.contacts.Contacts/Get\",code=\"not_found\"} 1"))
        #expect(metrics.body.contains("switchboard_rpc_duration_seconds_count{service=\"contacts\",method=\"switchboard.contacts.Contacts/MatchOrCreate\"} 1"))
        #expect(try httpGet(port: port, "/nope").status == 404)
        try await fixture.stop()
    }

    /// Issue 9 item 4: with the RPC port open to the network, the admin port (metrics)
    /// still listens on loopback only, unless P_ADMIN_HOST says otherwise.
    @Test func theAdminPortListensOnLoopbackByDefault() async throws {
        let fixture = try await ContactsFixture.start(extra: ["CONTACTS_HOST": "0.0.0.0"])
        // Read to the end by hand: /proc files report size 0, and a busy machine's table is long.
        let fd = open("/proc/net/tcp", O_RDONLY)
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &chunk, chunk.count)
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        close(fd)
        let listening = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map { $0.split(separator: " ") }
        func localAddress(of port: Int) -> String? {
            let hex = String(format: "%04X", port)
            return listening.first { $0.count > 3 && $0[1].hasSuffix(":" + hex) && $0[3] == "0A" }.map { String($0[1].prefix(8)) }
        }
        #expect(localAddress(of: fixture.service.port) == "00000000")
        #expect(localAddress(of: fixture.service.adminPort) == "0100007F")
        try await fixture.stop()
    }

    /// P1: a bad value stops the start with the variable's name, and leaves nothing
    /// behind: the same folder starts afterwards.
    @Test func p1ABadSettingStopsTheStartNamingTheVariable() async throws {
        let folder = try temporaryFolder("contacts-bad-setting")
        do {
            let started = try await ContactsFixture.start(dataFolder: folder, extra: ["SWITCHBOARD_DEFAULT_COUNTRY": "XX"])
            try await started.stop()
            Issue.record("started with an unknown country")
        } catch let failure as StartFailure {
            #expect(failure.description.contains("SWITCHBOARD_DEFAULT_COUNTRY") && failure.description.contains("\"XX\""), "\(failure)")
        }
        await #expect(throws: StartFailure.self) {
            _ = try await ContactsFixture.start(dataFolder: folder, extra: ["CONTACTS_GRACE_SECONDS": "soon"])
        }
        let fixture = try await ContactsFixture.start(dataFolder: folder)
        #expect(try await fixture.client.call(Contacts.search, SearchContactsRequest()).contacts.isEmpty)
        try await fixture.stop()
    }

    @Test func sigtermDuringLoadKeepsEveryAcknowledgedWrite() async throws {
        let folder = try temporaryFolder("contacts-sigterm")
        // A real process: SIGTERM and the exit code are what is tested.
        let process = try await ServiceProcess(
            executable: "switchboard-contacts",
            environment: ["CONTACTS_PORT": "0", "CONTACTS_ADMIN_PORT": "0", "CONTACTS_DATA_DIR": folder.path, "CONTACTS_GRACE_SECONDS": "10"])
        let endpoint = Endpoint(host: "127.0.0.1", port: process.port)
        let acknowledged = Acknowledged()
        let writers = Task {
            await withTaskGroup(of: Void.self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        var configuration = RPCClient.Configuration()
                        configuration.retry = .none
                        let client = RPCClient.test("contacts", port: endpoint.port, configuration: configuration)
                        for i in 0..<10_000 {
                            let email = "w\(worker)-\(i)@example.com"
                            do {
                                let reply = try await client.call(Contacts.matchOrCreate, MatchOrCreateRequest(draft: draft(first: "Load", emails: [email])))
                                acknowledged.add(reply.contact.id, email)
                            } catch {
                                return
                            }
                        }
                    }
                }
            }
        }
        #expect(try await eventually { acknowledged.count >= 200 })
        process.signal(SIGTERM)
        await writers.value
        #expect(try await process.waitForExit() == 0)

        let restarted = try await ContactsFixture.start(dataFolder: folder)
        for (id, email) in acknowledged.all {
            let contact = try await restarted.client.call(Contacts.get, GetContactRequest(id: id))
            #expect(contact.emails == [email])
        }
        try await restarted.stop()
    }
}

/// Writes the service confirmed, collected from many tasks.
final class Acknowledged: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [(Int64, String)] = []

    func add(_ id: Int64, _ email: String) {
        lock.lock()
        entries.append((id, email))
        lock.unlock()
    }

    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return entries.count
    }

    var all: [(Int64, String)] {
        lock.lock()
        defer { lock.unlock() }
        return entries
    }
}

/// A service started by a supervisor (`switchboard up`, a test run) that is killed with
/// -9 stops by itself instead of running on, unsupervised, with its port and database.
@Suite struct OrphanedServiceTests {
    /// Running: neither gone nor a zombie waiting for a parent that is gone.
    static func isRunning(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        let state = stat.split(separator: ")").last?.split(separator: " ").first
        return state != "Z" && state != "X"
    }

    @Test func aServiceWhoseSupervisorIsKilledStopsByItself() async throws {
        let folder = try temporaryFolder("contacts-orphan")
        let pidFile = folder.appendingPathComponent("pid").path
        let executable = ServiceProcess.executable(named: "switchboard-contacts").path
        let script = """
            SWITCHBOARD_PARENT_PID=$$ SWITCHBOARD_TLS_DIR='\(TestPKI.environment["SWITCHBOARD_TLS_DIR"]!)' CONTACTS_PORT=0 CONTACTS_ADMIN_PORT=0 CONTACTS_DATA_DIR='\(folder.path)/data' '\(executable)' > '\(folder.path)/out' 2>&1 &
            echo $! > '\(pidFile)'; wait
            """
        let supervisor = try await ServiceProcess.launches.launch {
            try ChildProcess(path: "/bin/sh", arguments: ["-c", script], environment: ProcessInfo.processInfo.environment)
        }
        var pid: Int32 = 0
        #expect(try await eventually {
            pid = (try? String(contentsOfFile: pidFile, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
            return pid > 0 && ((try? String(contentsOfFile: "\(folder.path)/out", encoding: .utf8)) ?? "").contains("\"event\":\"listening\"")
        })
        #expect(Self.isRunning(pid), "served while its supervisor lived")
        supervisor.signal(SIGKILL)
        #expect(try await eventually { !Self.isRunning(pid) }, "stopped once its supervisor was gone")
        let log = (try? String(contentsOfFile: "\(folder.path)/out", encoding: .utf8)) ?? ""
        #expect(log.contains("the process that started this one is gone") && log.contains("\"stopped\""), "\(log.suffix(600))")
        if Self.isRunning(pid) { kill(pid, SIGKILL) }
    }
}
