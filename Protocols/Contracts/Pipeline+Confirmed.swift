/// B2: where a confirmed offer moves its deal: the pipeline's first in-progress stage whose
/// name says "confirmed" (any case; Russian too). One rule for the gateway, which refuses
/// to confirm when there is none, and for deals, which moves the deal.
extension Pipeline {
    public var confirmedStage: DealStage? {
        stages.first { s in s.outcome == .inProgress && ["confirm", "подтвержд"].contains { s.name.lowercased().contains($0) } }
    }
}
