import Contracts
import DealsService
import Foundation
import ServiceKit
import Storage
import Testing
import TestSupport
import Wire

/// D1 (issue 26): an admin renames, reorders, adds and retires stages while deals sit in
/// them; nothing is lost and every change is in the pipeline's history.
@Suite struct PipelineEditTests {
    static func stage(_ name: String, _ outcome: StageOutcome = .inProgress, sla: Int64 = 0) -> DealStage {
        var stage = DealStage()
        stage.name = name
        stage.outcome = outcome
        stage.slaMinutes = sla
        return stage
    }

    static func edit(_ stages: [(Int64?, String)], moves: [(Int64, String)] = []) -> PipelineEdit {
        var edit = PipelineEdit()
        edit.name = "Windows"
        edit.stages = stages.map { id, name in
            var stage = StageEdit()
            stage.id = id
            stage.name = name
            return stage
        }
        edit.moves = moves.map { StageMove(fromStageID: $0.0, toStage: $0.1) }
        return edit
    }

    static var windows: Pipeline {
        var pipeline = Pipeline()
        pipeline.id = 7
        pipeline.name = "Windows"
        pipeline.stages = [stage("New"), stage("Measuring", sla: 60), stage("Installed", .won), stage("Refused", .lost)]
        for i in pipeline.stages.indices { pipeline.stages[i].id = Int64(i + 1) }
        return pipeline
    }

    @Test func d8d1AStageHoldingOpenDealsIsRetiredOnlyWithAMoveAndAKeptStageKeepsItsOutcome() throws {
        // Measuring (2) left out while it holds three open deals, and no move named.
        var bad = Self.edit([(1, "New"), (3, "Installed"), (4, "Refused")])
        guard case let .failure(error) = PipelineRevision.plan(Self.windows, bad, openDeals: [2: 3]) else { Issue.record("accepted"); return }
        #expect(error.details.map(\.field) == ["moves"])
        #expect(error.details.first?.description.contains("3 open deals") == true)
        // The same edit with nothing open in Measuring retires it without a move.
        #expect((try? PipelineRevision.plan(Self.windows, bad, openDeals: [1: 5]).get())?.retired.map(\.id) == [2])
        // A won stage cannot turn lost; an unknown id and a move to no stage of the edit are refused, all at once.
        bad = Self.edit([(1, "New"), (3, "Installed"), (4, "Refused"), (99, "Ghost")], moves: [(2, "Nowhere")])
        bad.stages[1].outcome = .lost
        guard case let .failure(all) = PipelineRevision.plan(Self.windows, bad, openDeals: [2: 1]) else { Issue.record("accepted"); return }
        #expect(Set(all.details.map(\.field)) == ["stages[1].outcome", "stages[3].id", "moves[0].toStage"])
    }

    @Test func d8d1TheHistorySaysWhatChangedInWords() throws {
        var edit = Self.edit([(3, "Installed"), (1, "Fresh"), (nil, "Survey"), (4, "Refused")], moves: [(2, "survey")])
        edit.stages[1].slaMinutes = 30
        let revision = try PipelineRevision.plan(Self.windows, edit, openDeals: [2: 2]).get()
        #expect(revision.summary == [
            "stage \"New\" renamed \"Fresh\"", "stage \"Fresh\" SLA 0 → 30 minutes", "stage \"Survey\" added (in_progress)",
            "stages reordered: \"Installed\", \"Fresh\", \"Survey\", \"Refused\"",
            "stage \"Measuring\" retired; its 2 open deals moved to \"survey\"",
        ])
        #expect(revision.slaChanged == [1])
    }

    @Test func d8d1RenameAndRetireWhileDealsSitInTheStagesMovesEachOpenDealOnceWithItsTimelineAndEvents() async throws {
        let contacts = try FakeContacts()
        let f = try DealsFixture(contactsPort: contacts.server.port)
        var pipeline = Pipeline()
        pipeline.name = "Windows"
        pipeline.stages = [Self.stage("New"), Self.stage("Measuring", sla: 60), Self.stage("Installed", .won), Self.stage("Refused", .lost)]
        let created = try await f.api.pipelines.create(pipeline)
        let ids = created.stages.map(\.id)
        var deals: [Deal] = []
        for i in 0..<3 {
            let deal = try await f.openDeal("Deal \(i)", contact: Int64(10 + i), pipeline: created.id)
            deals.append(try await f.api.deals.changeStage(ChangeStageRequest(dealID: deal.id, stageID: ids[1])))
        }
        // One of them was installed already: it stays where it ended.
        let installed = try await f.api.deals.changeStage(ChangeStageRequest(dealID: deals[2].id, stageID: ids[2]))
        var edit = Self.edit([(ids[0], "Fresh lead"), (nil, "Survey"), (ids[2], "Installed"), (ids[3], "Refused")], moves: [(ids[1], "Survey")])
        edit.pipelineID = created.id
        edit.actorID = 42
        let before = try await f.outbox().count
        let edited = try await f.api.pipelines.update(edit)

        #expect(edited.stages.map(\.name) == ["Fresh lead", "Survey", "Installed", "Refused"])
        #expect(edited.stages.map(\.position) == [1, 2, 3, 4])
        #expect(edited.stages[0].id == ids[0])
        #expect(edited.retiredStages.map(\.name) == ["Measuring"])
        let survey = edited.stages[1].id
        for deal in deals[0..<2] {
            let now = try await f.api.deals.get(deal.id, visibility: .everything)
            #expect(now.stageID == survey)
            let timeline = try await f.api.timeline.page(TimelineRequest(dealID: deal.id))
            #expect(timeline.entries.first?.summary == "stage: Measuring → Survey")
            #expect(timeline.entries.first?.actorID == 42)
        }
        #expect(try await f.api.deals.get(installed.id, visibility: .everything).stageID == ids[2])
        #expect(Array(try await f.outbox().dropFirst(before)) == [Deals.Event.stageChanged, Deals.Event.stageChanged])
        // The retired stage takes no deal after, by a move or a new deal.
        await #expect(throws: RPCError.self) { _ = try await f.api.deals.changeStage(ChangeStageRequest(dealID: deals[0].id, stageID: ids[1])) }
        await #expect(throws: RPCError.self) {
            var deal = Deal()
            deal.title = "Late"
            deal.contactID = 20
            deal.pipelineID = created.id
            deal.stageID = ids[1]
            _ = try await f.api.deals.create(deal)
        }
        // Who changed what, in words.
        let history = try await f.api.pipelines.history(created.id)
        #expect(history.changes.map(\.summary) == [
            "stage \"New\" renamed \"Fresh lead\"", "stage \"Survey\" added (in_progress)",
            "stage \"Measuring\" retired; its 2 open deals moved to \"Survey\"",
        ])
        #expect(history.changes.allSatisfy { $0.actorID == 42 })
        // A second edit that changes nothing keeps the history as it was; an unknown pipeline is not found.
        var same = Self.edit(edited.stages.map { ($0.id, $0.name) })
        same.pipelineID = created.id
        _ = try await f.api.pipelines.update(same)
        #expect(try await f.api.pipelines.history(created.id).changes.count == 3)
        same.pipelineID = 999
        await #expect(throws: RPCError.self) { _ = try await f.api.pipelines.update(same) }
    }
}
