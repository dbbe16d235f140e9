/// G7: what an import row holds, and the external id it is kept by, whichever kind it is.
extension ImportRow {
    /// The kind of its one field; unspecified for a row that holds none.
    public var kind: ImportKind {
        if staff != nil { return .staff }
        if contact != nil { return .contact }
        if pipeline != nil { return .pipeline }
        if deal != nil { return .deal }
        if task != nil { return .task }
        if note != nil { return .note }
        if activity != nil { return .activity }
        return .unspecified
    }

    /// Contacts keeps staff and contact rows; deals keeps the rest.
    public var keptByContacts: Bool { staff != nil || contact != nil }

    /// How many kinds it holds (one, for a row an import takes).
    public var kindsHeld: Int {
        [staff != nil, contact != nil, pipeline != nil, deal != nil, task != nil, note != nil, activity != nil].filter { $0 }.count
    }

    public var externalID: String {
        staff?.externalID ?? contact?.externalID ?? pipeline?.externalID ?? deal?.externalID ?? task?.externalID ?? note?.externalID
            ?? activity?.externalID ?? ""
    }
}

extension Array where Element == ImportRow {
    /// The contacts, staff, pipelines and deals the rows name (each once, in order): what
    /// must be resolved before the rows are kept.
    public var references: [(kind: ImportKind, reference: String)] {
        var all: [(ImportKind, String)] = []
        func add(_ kind: ImportKind, _ value: String) { if !value.isEmpty { all.append((kind, value)) } }
        for row in self {
            if let r = row.contact { add(.staff, r.responsible) }
            if let r = row.deal {
                add(.contact, r.contact)
                add(.staff, r.responsible)
                add(.pipeline, r.pipeline)
            }
            if let r = row.task { add(.contact, r.contact); add(.deal, r.deal); add(.staff, r.assignee) }
            if let r = row.note { add(.contact, r.contact); add(.deal, r.deal); add(.staff, r.author) }
            if let r = row.activity { add(.contact, r.contact); add(.deal, r.deal); add(.staff, r.actor) }
        }
        var seen = Set<String>()
        return all.filter { seen.insert("\($0.0.rawValue)/\($0.1)").inserted }
    }

    /// What contacts is asked to resolve before the rows are kept (the contacts and staff
    /// they name), in requests of at most `limit` references.
    public func resolveRequests(source: String, limit: Int = 1000) -> [ResolveImportsRequest] {
        let asked = references.filter { $0.kind == .contact || $0.kind == .staff }.map { ImportReference(kind: $0.kind, reference: $0.reference) }
        return stride(from: 0, to: asked.count, by: limit).map { ResolveImportsRequest(source: source, references: [ImportReference](asked[$0..<Swift.min($0 + limit, asked.count)])) }
    }
}
