import ContractServices
import Contracts
import RPC
import Wire

/// S2, G3 in scheduling itself (issue 24 item 4): an appointment is booked only for a deal
/// that exists and that the call's principal may see, asked of deals in one batch read
/// (`Deals.getDeals`). Whatever the gateway checked, a caller of the RPC cannot book for a
/// deal that is not there. Deals not answering fails the booking (`unavailable`): nothing
/// is booked on a guess.
public struct DealReferences: Sendable {
    let deals: RPCClient

    public init(deals: RPCClient) {
        self.deals = deals
    }

    /// The deal `id` when it exists and the caller sees it; else `invalid_argument` naming
    /// `field`, in the words the gateway uses, so the answer is the same whoever checked first.
    @discardableResult
    public func requireVisible(_ id: Int64, field: String = "dealId", _ context: ServerContext) async throws -> Deal {
        let found = try await deals.call(Deals.getDeals, GetDealsRequest(ids: [id], visibility: context.principal?.visibility))
        guard let deal = found.deals.first(where: { $0.id == id }) else {
            throw RPCError.invalidArgument("deal \(id) does not exist", details: [FieldViolation(field: field, description: "is unknown")])
        }
        return deal
    }

    /// Whether deal `id` exists and the call's principal sees it (everything when it has none).
    public func isVisible(_ id: Int64, _ context: ServerContext) async throws -> Bool {
        try await visible([id], context).contains(id)
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
