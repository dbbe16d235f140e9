import Contracts
import DealsService
import Foundation
import RPC
import ServiceKit
import Testing
import TestSupport
import Wire

/// Issue 26 item 4 (000): the school's NPS by kind of request and by manager, from the
/// scores surveys put on won deals (N6); every figure worked out by hand.
@Suite struct NPSReportTests {
    static let context = ServerContext(method: "test", metadata: Metadata(), deadline: nil, peer: "test", requestID: 1)

    @Test func d9n6NPSByPipelineResponsibleOrFieldWorkedOutByHand() async throws {
        let time = ManualTime(Date(timeIntervalSince1970: 1_799_143_200))  // 2027-01-05 10:00 UTC
        let contacts = try FakeContacts()
        let f = try DealsFixture(contactsPort: contacts.server.port, clock: .manual(time))
        func deal(_ responsible: Int64, kind: String, score: Int?, comment: String = "", won: Bool = true) async throws {
            var input = Deal()
            input.title = "Course"
            input.contactID = 1
            input.responsibleID = responsible
            input.customFields = [CustomField(name: "kind", value: kind)] + (score.map { [CustomField(name: "nps", value: String($0))] } ?? [])
                + (comment.isEmpty ? [] : [CustomField(name: "nps_comment", value: comment)])
            let made = try await f.api.deals.create(input)
            var change = ChangeStageRequest(dealID: made.id, stageID: won ? 4 : 5)
            change.lossReason = won ? "" : "moved away"
            _ = try await f.api.deals.changeStage(change)
        }
        try await deal(5, kind: "repair", score: 10, comment: "great")
        try await deal(5, kind: "repair", score: 9)
        try await deal(5, kind: "install", score: 3, comment: "late")
        try await deal(6, kind: "install", score: 7)
        try await deal(6, kind: "repair", score: 0, comment: "rude")
        try await deal(6, kind: "repair", score: 10, won: false)  // lost: not counted
        try await deal(6, kind: "repair", score: nil)  // no answer: not counted
        func report(_ groupBy: NPSDimension, field: String = "", visibility: Visibility? = nil) async throws -> NPSReport {
            try await f.api.npsReport(NPSRequest(from: "2027-01-01", to: "2027-01-31", groupBy: groupBy, field: field, visibility: visibility), context: Self.context)
        }

        let managers = try await report(.responsible)
        // Staff 5: 10, 9, 3 — two promoters, one detractor: (2 − 1) / 3 = 33%. Staff 6: 7, 0 — (0 − 1) / 2 = −50%.
        #expect(managers.rows.map { [$0.value, String($0.responses), String($0.nps)] } == [["5", "3", "33"], ["6", "2", "-50"]])
        #expect(managers.total.responses == 5 && managers.total.promoters == 2 && managers.total.passives == 1 && managers.total.detractors == 2)
        #expect(managers.total.nps == 0 && managers.total.distribution == [1, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1])
        #expect(managers.total.comments.map(\.text) == ["rude", "late", "great"], "lowest scores first")
        // By the kind of request: repair 10, 9, 0 → 33%; install 3, 7 → −50%.
        let kinds = try await report(.field, field: "kind")
        #expect(kinds.rows.map { [$0.value, String($0.nps)] } == [["repair", "33"], ["install", "-50"]])
        #expect(try await report(.pipeline).rows.map(\.value) == ["Sales"])
        // G3: a manager whose team is staff 5 sees staff 5's deals only.
        let team = try await report(.responsible, visibility: Visibility(restricted: true, staffIDs: [5]))
        #expect(team.rows.map(\.value) == ["5"] && team.total.responses == 3)
        await #expect(throws: RPCError.self) { _ = try await report(.field) }
    }
}
