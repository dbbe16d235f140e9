import Contracts
import FoundationEssentials
import Glibc
import JSON
import Storage
import Wire

/// T10's outcomes on the deals side, inside the inbox's transaction: every outcome is a
/// timeline entry on the deal; an offer moves the deal to its pipeline's offer stage,
/// a refusal loses it with the reason, an invalid lead is marked low quality (the
/// partner reads why at GET /v1/leads/{id}) and its deal lost. An offer, or a callback
/// the operator keeps for themselves, makes them responsible of a deal nobody works.
enum DialerLedger {
    static func outcome(_ recorded: OutcomeRecorded, _ tx: Transaction) throws {
        try LeadReportStore.outcome(tx, recorded)
        guard let dealID = recorded.entry.dealID, let deal = try DealStore.load(tx.connection, id: dealID) else { return }
        let e = recorded.entry
        var summary = "dialer: \(recorded.outcome.name)"
        switch recorded.outcome {
        case .noAnswer, .busy:
            summary += e.state == .closed ? " (unreachable after \(e.rounds) rounds)" : " (attempt \(e.attempts == 0 ? "ends round \(e.rounds)" : "\(e.attempts) of round \(e.rounds + 1)"))"
        case .callback:
            summary += e.callbackAtMilliseconds.map { " at \(RFC3339.format(milliseconds: $0))" } ?? ""
            if e.callbackFor != nil { summary += ", for this operator only" }
        default:
            if !recorded.reason.isEmpty { summary += ": \(recorded.reason)" }
        }
        try TimelineStore.append(tx, TimelineStore.entry(
            kind: "dialer", dealID: deal.id, contactID: deal.contactID, summary: summary, actorID: recorded.operatorID, at: recorded.atMilliseconds))
        guard deal.status == .open else { return }
        let stages = (try PipelineStore.load(tx.connection).first { $0.id == deal.pipelineID }?.stages ?? []).sorted { $0.position < $1.position }
        func move(to stage: DealStage?, reason: String = "") throws {
            guard let stage, stage.id != deal.stageID else { return }
            var request = ChangeStageRequest()
            request.dealID = deal.id
            request.stageID = stage.id
            request.lossReason = reason
            request.actorID = recorded.operatorID
            _ = try DealStore.changeStage(tx, deal, request, now: recorded.atMilliseconds)
        }
        let position = stages.first { $0.id == deal.stageID }?.position ?? 0
        switch recorded.outcome {
        case .offerMade:
            let later = stages.filter { $0.outcome == .inProgress && $0.position > position }
            let offer = later.first(where: PipelineStore.isOffer)
            try move(to: offer ?? later.first)
        case .refused:
            try move(to: stages.first { $0.outcome == .lost }, reason: recorded.reason.isEmpty ? "refused on the call" : recorded.reason)
        case .invalid:
            let why = "invalid: " + (recorded.reason.isEmpty ? "the operator found the lead invalid" : recorded.reason)
            try tx.run("UPDATE leads SET low_quality = 1, reason = ? WHERE id = ?", [.text(why), .integer(e.leadID)])
            try LeadIntake.announceLowQuality(tx, e.leadID)
            try move(to: stages.first { $0.outcome == .lost }, reason: why)
        case .noAnswer, .busy:
            if e.state == .closed { try move(to: stages.first { $0.outcome == .lost }, reason: "unreachable: no answer after \(e.rounds) rounds") }
        case .callback, .unspecified:
            break
        }
        // The operator who made the offer, or who will call back themselves, works the
        // deal from now on when nobody did: they can open it (G3) and its tasks are theirs.
        if recorded.outcome == .offerMade || (recorded.outcome == .callback && e.callbackFor != nil) {
            try DealStore.assignIfUnassigned(tx, dealID: deal.id, to: recorded.operatorID)
        }
    }
}
