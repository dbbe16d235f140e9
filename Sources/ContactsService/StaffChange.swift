import Contracts

/// Issue 26: what an edit changed on a staff member, in words, one line per field, for
/// their history. Unchanged fields say nothing.
public enum StaffChange {
    public static func lines(_ before: StaffMember, _ after: StaffMember) -> [String] {
        func list(_ values: [String]) -> String { values.isEmpty ? "none" : values.joined(separator: ", ") }
        func quoted(_ value: String) -> String { value.isEmpty ? "none" : "\"\(value)\"" }
        var lines: [String] = []
        if before.firstName != after.firstName || before.lastName != after.lastName {
            let old = [before.firstName, before.lastName].filter { !$0.isEmpty }.joined(separator: " ")
            let new = [after.firstName, after.lastName].filter { !$0.isEmpty }.joined(separator: " ")
            lines.append("name \(quoted(old)) → \(quoted(new))")
        }
        if before.role != after.role { lines.append("role \(before.role.name) → \(after.role.name)") }
        if before.email != after.email { lines.append("email \(quoted(before.email)) → \(quoted(after.email))") }
        if before.extensions != after.extensions { lines.append("extensions \(list(before.extensions)) → \(list(after.extensions))") }
        if before.mobiles != after.mobiles { lines.append("mobiles \(list(before.mobiles)) → \(list(after.mobiles))") }
        if before.supervisorID != after.supervisorID {
            lines.append("supervisor \(before.supervisorID.map(String.init) ?? "none") → \(after.supervisorID.map(String.init) ?? "none")")
        }
        if before.skills != after.skills { lines.append("skills \(list(before.skills)) → \(list(after.skills))") }
        if before.zone != after.zone { lines.append("zone \(quoted(before.zone)) → \(quoted(after.zone))") }
        return lines
    }
}
