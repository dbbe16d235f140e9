import Contracts

/// C3: groups contacts that share an email or a phone, directly or through a chain
/// (A shares an email with B, B a phone with C: one group of three).
public enum DuplicateGrouper {
    /// `keys` pairs a contact with one of its normalized emails or phone numbers.
    public static func groups(_ keys: [(contactID: Int64, key: String)]) -> [DuplicateGroup] {
        var parent: [Int64: Int64] = [:]
        func find(_ x: Int64) -> Int64 {
            var root = x
            while let p = parent[root], p != root { root = p }
            var node = x
            while let p = parent[node], p != root {
                parent[node] = root
                node = p
            }
            return root
        }
        var owners: [String: [Int64]] = [:]
        for (id, key) in keys {
            if parent[id] == nil { parent[id] = id }
            owners[key, default: []].append(id)
        }
        var shared: [String] = []
        for (key, ids) in owners {
            let distinct = Set(ids)
            guard distinct.count > 1 else { continue }
            shared.append(key)
            let first = find(ids[0])
            for id in distinct { parent[find(id)] = first }
        }
        var members: [Int64: Set<Int64>] = [:]
        for id in parent.keys { members[find(id), default: []].insert(id) }
        var keysByRoot: [Int64: [String]] = [:]
        for key in shared { keysByRoot[find(owners[key]![0]), default: []].append(key) }
        return members.values
            .filter { $0.count > 1 }
            .map { ids in
                let sorted = ids.sorted()
                return DuplicateGroup(contactIDs: sorted, sharedKeys: (keysByRoot[find(sorted[0])] ?? []).sorted())
            }
            .sorted { $0.contactIDs[0] < $1.contactIDs[0] }
    }
}
