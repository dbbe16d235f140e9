import RPC
import Wire

/// G3 per service (issue 24 item 4): reads each id and reports those that did not answer
/// as the rule says: a read when the id is visible, `not_found` (as if it did not exist)
/// when it is not.
public enum VisibilityProbe {
    /// What went wrong, one line per id; empty when every read answered as it should.
    public static func mismatches<ID: Hashable & Comparable>(
        _ ids: some Sequence<ID>, visible: Set<ID>, read: (ID) async throws -> Void
    ) async -> [String] {
        var problems: [String] = []
        for id in ids.sorted() {
            do {
                try await read(id)
                if !visible.contains(id) { problems.append("\(id) was read though it is not visible") }
            } catch let error as RPCError where error.code == .notFound {
                if visible.contains(id) { problems.append("\(id) was not found though it is visible") }
            } catch {
                problems.append("\(id): \(error)")
            }
        }
        return problems
    }
}
