/// Integer ids written into an `IN (...)` list of a statement: ids are numbers, so there
/// is nothing to escape, and no list is `NULL`, which matches nothing.
public enum SQLList {
    public static func integers(_ ids: [Int64]) -> String {
        ids.isEmpty ? "NULL" : ids.map(String.init).joined(separator: ",")
    }
}
