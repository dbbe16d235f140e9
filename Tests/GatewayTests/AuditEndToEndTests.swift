import Contracts
import Foundation
import Storage
import Testing
import TestSupport

@testable import Gateway

/// P5 (issue 29): the gateway's audit log over the running services: who changed, exported
/// or was refused what; the before and after of a permission change; filters and CSV;
/// a chain that shows an edited or removed entry.
@Suite struct AuditEndToEndTests {
    @Test func P5_changesExportsAndRefusalsAreRecordedWithWhoAndWhatAndAnEditedEntryBreaksTheChain() async throws {
        let system = try await SystemFixture.start()
        let staff = try await system.request("POST", "/v1/staff", body: #"{"firstName":"Oleg","role":"operator"}"#)
        #expect(staff.status == 201)
        let staffID = try #require(staff.json["id"] as? Int)
        // A permission change: its before and after are the changed fields only.
        #expect(try await system.request("PUT", "/v1/staff/\(staffID)", body: #"{"firstName":"Oleg","role":"manager"}"#).status == 200)
        #expect(try await system.request("POST", "/v1/contacts", body: #"{"firstName":"Anna","phones":["+79161234567"]}"#).status == 201)
        #expect(try await system.request("GET", "/v1/contacts/export.csv").status == 200)
        // Refusals: an unknown key, a reader writing.
        #expect(try await system.request("GET", "/v1/deals", key: "nobody-0123456789abcdef").status == 401)
        #expect(try await system.request("POST", "/v1/staff", key: readerKey, body: #"{"firstName":"X","role":"operator"}"#).status == 403)
        // Reads and refused values are not changes.
        #expect(try await system.request("GET", "/v1/contacts").status == 200)
        #expect(try await system.request("POST", "/v1/contacts", body: #"{"phones":["12"]}"#).status == 422)

        let page = try await system.request("GET", "/v1/admin/audit")
        #expect(page.status == 200)
        let entries = try #require(page.json["items"] as? [[String: Any]])
        let summary = entries.map { "\($0["action"] as? String ?? "") \($0["method"] as? String ?? "") \($0["route"] as? String ?? "") \($0["status"] as? Int ?? 0)" }
        #expect(summary == [
            "denied POST /v1/staff 403", "denied GET /v1/deals 401", "export GET /v1/contacts/export.csv 200", "change POST /v1/contacts 201",
            "change PUT /v1/staff/{id} 200", "change POST /v1/staff 201",
        ], "\(summary)")
        try #require(entries.count == 6)
        let patch = entries[4]
        #expect(patch["entity"] as? String == "staff" && patch["entityId"] as? String == "\(staffID)" && patch["role"] as? String == "admin")
        #expect(patch["before"] as? String == #"{"role":"operator"}"# && patch["after"] as? String == #"{"role":"manager"}"#, "\(patch)")
        #expect(entries[5]["entityId"] as? String == "\(staffID)", "a creation names what it made (its Location)")
        #expect((entries[0]["address"] as? String)?.hasPrefix("127.0.0.1") == true && entries[0]["role"] as? String == "reader")

        // Filters: by what, by action, by time; CSV of the same.
        let aboutStaff = try await system.request("GET", "/v1/admin/audit?entity=staff&entityId=\(staffID)")
        #expect((aboutStaff.json["items"] as? [Any])?.count == 2)
        #expect((try await system.request("GET", "/v1/admin/audit?action=denied").json["items"] as? [Any])?.count == 2)
        #expect((try await system.request("GET", "/v1/admin/audit?from=2100-01-01T00:00:00Z").json["items"] as? [Any])?.count == 0)
        let paged = try await system.request("GET", "/v1/admin/audit?limit=4")
        let next = try #require(paged.json["nextCursor"] as? String)
        #expect((try await system.request("GET", "/v1/admin/audit?limit=4&cursor=\(next)").json["items"] as? [Any])?.count == 2)
        let csv = try await system.request("GET", "/v1/admin/audit.csv?action=change")
        #expect(csv.status == 200 && csv.body.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 4 && csv.body.hasPrefix("id,at,action,"), "\(csv.body)")
        // Only admins read it, and a refused read is itself recorded.
        #expect(try await system.request("GET", "/v1/admin/audit", key: readerKey).status == 403)

        // The chain holds; an entry edited in the file breaks it there, one removed breaks it after.
        #expect(try await system.request("GET", "/v1/admin/audit/verification").json["intact"] as? Bool == true)
        let file = try Database(path: system.folder.appendingPathComponent("gateway/gateway.sqlite").path, migrations: GatewaySchema.migrations)
        let original = try #require(try await file.read { try AuditLog.table.find($0, id: 3) })
        var forgery = original
        forgery.address = "10.0.0.1"
        let forged = forgery
        try await file.write { try AuditLog.table.update($0, forged) }
        let edited = try await system.request("GET", "/v1/admin/audit/verification").json
        #expect(edited["intact"] as? Bool == false && edited["firstBrokenId"] as? Int == 3, "\(edited)")
        try await file.write { try AuditLog.table.update($0, original) }
        #expect(try await system.request("GET", "/v1/admin/audit/verification").json["intact"] as? Bool == true)
        try await file.write { try $0.run("DELETE FROM audit_log WHERE id = 4") }
        #expect(try await system.request("GET", "/v1/admin/audit/verification").json["firstBrokenId"] as? Int == 5)
        try await file.close()
        try await system.stop()
    }

    @Test func P5_retentionRemovesTheOldestEntriesAndSaysSoAndTheChainStillHolds() async throws {
        let folder = try temporaryFolder("audit")
        let clock = PersonSessionsTests.MovingClock()
        let database = try Database(path: folder.appendingPathComponent("gateway.sqlite").path, migrations: GatewaySchema.migrations)
        let log = AuditLog(database: database, now: clock.read)
        for i in 0..<5 {
            try await log.append(AuditEntry(action: .change, method: "POST", route: "/v1/contacts", path: "/v1/contacts", entity: "contacts", entityID: "\(i)", status: 201))
            clock.advance(86_400)
        }
        #expect(try await log.prune(olderThan: clock.read().addingTimeInterval(-2.5 * 86_400)) == 3)
        let kept = try await log.page(AuditQuery()).entries
        #expect(kept.map(\.entityID) == ["3", "4", "3"] && kept.first?.action == .pruned, "\(kept.map(\.entityID))")
        #expect(try await log.verify() == AuditVerification(intact: true, checked: 3))
        try await database.close()
    }

    /// C8: an erased person's fields before and after a change leave the audit log; the
    /// chain still holds (it covers their digests), and an edit of what is left still breaks it.
    @Test func c8p5ErasingAPersonBlanksTheirBeforeAndAfterAndTheChainStillHolds() async throws {
        let folder = try temporaryFolder("audit-erasure")
        let database = try Database(path: folder.appendingPathComponent("gateway.sqlite").path, migrations: GatewaySchema.migrations)
        let log = AuditLog(database: database)
        try await log.append(AuditEntry(
            action: .change, method: "PATCH", route: "/v1/contacts/{id}", entity: "contacts", entityID: "7", status: 200,
            before: #"{"lastName":"Kvashnina"}"#, after: #"{"lastName":"Ivanova"}"#))
        try await log.append(AuditEntry(
            action: .change, method: "PATCH", route: "/v1/contacts/{id}", entity: "contacts", entityID: "8", status: 200,
            before: #"{"phones":["+79165557001"]}"#, after: #"{"phones":[]}"#))
        try await log.append(AuditEntry(
            action: .change, method: "PATCH", route: "/v1/contacts/{id}", entity: "contacts", entityID: "9", status: 200, before: #"{"firstName":"Oleg"}"#,
            after: #"{"firstName":"Olegs"}"#))
        #expect(try await log.erase(contactID: 7, needles: ["+79165557001"]) == 2)
        let entries = try await log.page(AuditQuery()).entries
        #expect(entries.map(\.before) == [#"{"firstName":"Oleg"}"#, "", ""] && entries.map(\.after) == [#"{"firstName":"Olegs"}"#, "", ""])
        #expect(entries.allSatisfy { !$0.beforeDigest.isEmpty && !$0.afterDigest.isEmpty })
        #expect(try await log.verify() == AuditVerification(intact: true, checked: 3))
        // Someone puts a text back into an erased entry: the chain says where.
        var forged = try #require(entries.last)
        forged.before = #"{"lastName":"Someone"}"#
        let edited = forged
        try await database.write { tx in try AuditLog.table.update(tx, edited) }
        #expect(try await log.verify().firstBrokenID == forged.id)
        try await database.close()
    }
}
