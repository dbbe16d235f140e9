import Contracts
import Storage
import Wire

/// G7: what imports made, by (source system, kind, external id), in the service that keeps
/// the thing: a second import of a row finds what the first made and updates it instead
/// of adding another. Each service runs its own rows through ``run(_:_:count:row:)``: one
/// write, a savepoint per row (a refused row leaves nothing), all of it undone for a dry run.
public enum ImportLedger {
    public static let migration = """
        CREATE TABLE import_keys (
            source TEXT NOT NULL, kind INTEGER NOT NULL, external_id TEXT NOT NULL, local_id INTEGER NOT NULL,
            PRIMARY KEY (source, kind, external_id)
        ) WITHOUT ROWID;
        CREATE INDEX import_keys_local ON import_keys (kind, local_id);
        """

    /// The longest batch a service takes in one call.
    public static let maximumRows = 1000

    public static func find(_ c: Connection, source: String, kind: ImportKind, _ externalID: String) throws -> Int64? {
        try c.queryFirst(
            "SELECT local_id FROM import_keys WHERE source = ? AND kind = ? AND external_id = ?",
            [.text(source), .integer(Int64(kind.rawValue)), .text(externalID)]) { $0.int64(0) }
    }

    public static func keep(_ tx: Transaction, source: String, kind: ImportKind, _ externalID: String, id: Int64) throws {
        try tx.run(
            "INSERT INTO import_keys (source, kind, external_id, local_id) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET local_id = excluded.local_id",
            [.text(source), .integer(Int64(kind.rawValue)), .text(externalID), .integer(id)])
    }

    /// What `source` calls the thing of `kind` with our `id` (the first kept), nil when nothing.
    public static func external(_ c: Connection, source: String, kind: ImportKind, id: Int64) throws -> String? {
        try c.queryFirst(
            "SELECT external_id FROM import_keys WHERE kind = ? AND local_id = ? AND source = ? LIMIT 1",
            [.integer(Int64(kind.rawValue)), .integer(id), .text(source)]) { $0.string(0) }
    }

    /// The checks every batch passes before any row is read: a source, and a bounded count.
    public static func requireValid(_ batch: ImportBatch) throws {
        let source = batch.source
        guard !source.isEmpty, source.utf8.count <= 50, source.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw RPCError.invalidArgument("the source is a short name (letters, digits, - and _)", details: [FieldViolation(field: "source", description: "is not a source name")])
        }
        guard batch.rows.count <= maximumRows else {
            throw RPCError.invalidArgument("at most \(maximumRows) rows a batch", details: [FieldViolation(field: "rows", description: "has more than \(maximumRows)")])
        }
    }

    /// Runs `row` for each of `count` rows in one write, each in its own savepoint: a row
    /// that throws is refused with its field problems (named under `prefix(i)`, the row's
    /// kind) and leaves nothing; the others stay. A dry run answers the same and keeps nothing.
    public static func run(
        _ database: Database, dryRun: Bool, count: Int, prefix: @escaping @Sendable (Int) -> String,
        row: @escaping @Sendable (Transaction, Int) throws -> ImportOutcome
    ) async throws -> ImportOutcomes {
        do {
            return try await database.write { tx in
                var outcomes = ImportOutcomes()
                for i in 0..<count {
                    do {
                        outcomes.outcomes.append(try tx.savepoint { try row(tx, i) })
                    } catch let error as RPCError where error.code == .invalidArgument || error.code == .notFound || error.code == .alreadyExists || error.code == .failedPrecondition {
                        outcomes.outcomes.append(refused(error, under: prefix(i)))
                    }
                }
                if dryRun { throw DryRun(outcomes: outcomes) }
                return outcomes
            }
        } catch let done as DryRun {
            return done.outcomes
        }
    }

    /// A refusal with each problem's field under the row's kind (`deal.stage`).
    public static func refused(_ error: RPCError, under prefix: String) -> ImportOutcome {
        var outcome = ImportOutcome()
        outcome.result = .refused
        let problems = error.details.map { ImportProblem(field: prefix.isEmpty ? $0.field : "\(prefix).\($0.field)", description: $0.description) }
        outcome.problems = problems.isEmpty ? [ImportProblem(field: prefix, description: error.message)] : problems
        return outcome
    }

    /// An outcome that is not a refusal.
    public static func outcome(_ result: ImportResult, id: Int64) -> ImportOutcome {
        var outcome = ImportOutcome()
        outcome.result = result
        outcome.id = id
        return outcome
    }

    /// What undoes a dry run's write, carrying its answer out.
    struct DryRun: Error {
        let outcomes: ImportOutcomes
    }
}
