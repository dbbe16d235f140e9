import Contracts

extension ContactSource {
    /// No channel, number or utm tag: stored as no source at all (C1).
    var isEmpty: Bool { self == ContactSource() }
}
