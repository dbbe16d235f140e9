extension ErasePersonRequest {
    /// C8: the field of the violation contacts answers match-or-create with when an erased
    /// person's phone or email arrives in something that happened before their erasure
    /// (a hook sent again): the caller drops what it kept of it.
    public static let refusedField = "erased"

    /// What identifies the person in bytes a service keeps whole (an event, a hook's body):
    /// each phone as written, without its `+` and (Russian) with its trunk 8, and each email. Names are left out:
    /// another person may share one, so a name is erased only where the record is theirs.
    public var needles: [String] {
        var found = Set(emails.filter { !$0.isEmpty })
        for phone in phones where !phone.isEmpty {
            found.insert(phone)
            if phone.hasPrefix("+") { found.insert(String(phone.dropFirst())) }
            // Russian numbers are often written with a trunk 8 (89161234567).
            if phone.hasPrefix("+7"), phone.count == 12 { found.insert("8" + phone.dropFirst(2)) }
        }
        return found.sorted()
    }
}
