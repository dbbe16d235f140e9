extension ErasureReport {
    /// C8: a report of `counts` by kind (kinds with none left out, in name order) and the
    /// events still waiting for a subscriber.
    public init(_ counts: [String: Int64], waiting: Int64 = 0) {
        self.init(erased: counts.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { ErasedCount(kind: $0.key, count: $0.value) }, waiting: waiting)
    }
}
