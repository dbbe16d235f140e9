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

    /// Throws `invalid_argument` naming `field` when `id` is not a deal the caller sees,
    /// in the words the gateway uses, so the answer is the same whoever checked first.
    public func requireVisible(_ id: Int64, field: String = "dealId", _ context: ServerContext) async throws {
        guard try await isVisible(id, context) else {
            throw RPCError.invalidArgument("deal \(id) does not exist", details: [FieldViolation(field: field, description: "is unknown")])
        }
    }

    /// Whether deal `id` exists and the call's principal sees it (everything when it has none).
    public func isVisible(_ id: Int64, _ context: ServerContext) async throws -> Bool {
        // The served call's deadline and ids go on through CallPropagation; its principal does not.
        let found = try await deals.call(Deals.getDeals, GetDealsRequest(ids: [id], visibility: context.principal?.visibility))
        return found.deals.contains { $0.id == id }
    }
}
