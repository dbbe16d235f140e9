import Contracts
import RPC
import Wire

/// G3 and existence in the services that keep things of a deal (issue 24 item 4):
/// scheduling's appointments and enrolments, billing's offers. Whether a deal exists and
/// the call's principal may see it is asked of deals in batch reads (`Deals.getDeals`), so
/// whatever the gateway checked, a caller of the RPC cannot book or price for a deal that
/// is not there. Deals not answering fails the call (`unavailable`): nothing is done on a
/// guess.
public struct DealReferences: Sendable {
    let deals: RPCClient

    public init(deals: RPCClient) {
        self.deals = deals
    }

    /// The deal `id` when it exists and the caller sees it; else `invalid_argument` naming
    /// `field`, in the words the gateway uses, so the answer is the same whoever checked first.
    @discardableResult
    public func requireVisible(_ id: Int64, field: String = "dealId", _ context: ServerContext) async throws -> Deal {
        guard let deal = try await deal(id, context) else {
            throw RPCError.invalidArgument("deal \(id) does not exist", details: [FieldViolation(field: field, description: "is unknown")])
        }
        return deal
    }

    /// Deal `id` when it exists and the call's principal sees it (everything when it has none).
    public func deal(_ id: Int64, _ context: ServerContext) async throws -> Deal? {
        try await deals.call(Deals.getDeals, GetDealsRequest(ids: [id], visibility: context.principal?.visibility)).deals.first { $0.id == id }
    }

    /// Whether deal `id` exists and the call's principal sees it.
    public func isVisible(_ id: Int64, _ context: ServerContext) async throws -> Bool {
        try await deal(id, context) != nil
    }

    /// The deals among `ids` that exist and the call's principal sees, read in batches of
    /// ``BatchRead/limit``: a calendar of 5,000 appointments is ten calls, not 5,000.
    public func visible(_ ids: some Sequence<Int64>, _ context: ServerContext) async throws -> Set<Int64> {
        var found = Set<Int64>()
        for batch in BatchRead.calls(Array(ids)) {
            // The served call's deadline and ids go on through CallPropagation; its principal does not.
            let answer = try await deals.call(Deals.getDeals, GetDealsRequest(ids: batch, visibility: context.principal?.visibility))
            found.formUnion(answer.deals.map(\.id))
        }
        return found
    }
}
