import Contracts

/// T2: a call between two staff numbers (extensions, staff mobiles) is internal: it is
/// logged on the staff members and never becomes a contact, a deal or a task.
public enum InternalCallRule {
    public static func isInternal(clientNumber: String, staffNumber: String, staffNumbers: Set<String>) -> Bool {
        staffNumbers.contains(clientNumber) && (staffNumber.isEmpty || staffNumbers.contains(staffNumber) || CallNumber.isExtension(staffNumber))
    }
}
