import Contracts
import Foundation
import ServiceKit
import Storage
import Wire

/// G7: imports, in the gateway's file, each with its file spooled beside it
/// (`<data>/imports/<id>.data`) as it arrives in parts, and how far reading it got. The
/// progress of a running import is written after each batch the services kept, so after a
/// crash it resumes at the first row not yet kept (services keep rows by their external
/// ids: a batch sent twice is updated, not doubled).
public final class ImportJobs: Sendable {
    /// The most one request carries of a file.
    public static let maximumPartBytes = 8 * 1024 * 1024
    /// The most a whole file may be.
    public static let maximumFileBytes: Int64 = 4 * 1024 * 1024 * 1024
    /// Refused rows kept with their reasons (all are counted).
    static let keptErrors = 100
    /// Imports listed (newest first).
    static let listed = 50

    let database: Database
    let directory: String
    let now: @Sendable () -> Date

    static let table = MessageTable<ImportJob>(
        "import_jobs", id: { $0.id }, setID: { $0.id = $1 }, columns: [.init("state") { .integer(Int64($0.state.rawValue)) }])

    public init(database: Database, directory: String, now: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.directory = directory
        self.now = now
    }

    var milliseconds: Int64 { Int64((now().timeIntervalSince1970 * 1000).rounded(.down)) }

    func path(_ id: Int64) -> String { "\(directory)/\(id).data" }

    /// A new import with the first part of its file; queued unless more parts follow.
    func create(_ request: NewImport, format: ImportFormat, by: String, firstPart: [UInt8]) async throws -> ImportJob {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var job = ImportJob()
        (job.source, job.format, job.kind, job.dryRun, job.announce) = (request.source, format, request.kind, request.dryRun, request.announce)
        job.state = .receiving
        job.createdAtMilliseconds = milliseconds
        job.createdBy = by
        let new = job
        let made = try await database.write { tx in try Self.table.insert(tx, new) }
        return try await append(made.id, firstPart, more: request.more)
    }

    /// The next part of a file still being received; the last one queues the import.
    func append(_ id: Int64, _ part: [UInt8], more: Bool) async throws -> ImportJob {
        guard var job = try await get(id) else { throw RPCError.notFound("import \(id) does not exist") }
        guard job.state == .receiving else { throw RPCError(.failedPrecondition, "import \(id) has its whole file already (it is \(job.state.name))") }
        guard job.bytesReceived + Int64(part.count) <= Self.maximumFileBytes else {
            throw RPCError(.resourceExhausted, "an import's file is at most \(Self.maximumFileBytes) bytes")
        }
        let file = path(id)
        if !FileManager.default.fileExists(atPath: file) { FileManager.default.createFile(atPath: file, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: file) else { throw RPCError.internal("cannot write \(file)") }
        // A part a crash cut short is written again from where the import says the file ends.
        try handle.truncate(atOffset: UInt64(job.bytesReceived))
        try handle.seekToEnd()
        try handle.write(contentsOf: part)
        try handle.synchronize()
        try handle.close()
        job.bytesReceived += Int64(part.count)
        if !more { job.state = .queued }
        let saved = job
        try await database.write { tx in try Self.table.update(tx, saved) }
        return job
    }

    func get(_ id: Int64) async throws -> ImportJob? {
        try await database.read { c in try Self.table.find(c, id: id) }
    }

    func list() async throws -> [ImportJob] {
        try await database.read { c in
            try c.query("SELECT \(Self.table.selection()) FROM import_jobs ORDER BY id DESC LIMIT ?", [.integer(Int64(Self.listed))], Self.table.message)
        }
    }

    /// The oldest import to run: one a stop interrupted first, then the queued.
    func next() async throws -> ImportJob? {
        try await database.read { c in
            try c.queryFirst(
                "SELECT \(Self.table.selection()) FROM import_jobs WHERE state IN (?, ?) ORDER BY state DESC, id LIMIT 1",
                [.integer(Int64(ImportState.running.rawValue)), .integer(Int64(ImportState.queued.rawValue))], Self.table.message)
        }
    }

    /// Writes the import's progress, with the keys a dry run has seen, in one step.
    func save(_ job: ImportJob, seen: [(ImportKind, String)] = []) async throws {
        try await database.write { tx in
            try Self.table.update(tx, job)
            for (kind, reference) in seen {
                try tx.run(
                    "INSERT OR IGNORE INTO import_seen (job_id, kind, reference) VALUES (?, ?, ?)",
                    [.integer(job.id), .integer(Int64(kind.rawValue)), .text(reference)])
            }
        }
    }

    /// Which of `references` earlier rows of a dry run made.
    func seen(_ jobID: Int64, _ references: [(ImportKind, String)]) async throws -> Set<String> {
        guard !references.isEmpty else { return [] }
        return try await database.read { c in
            var found = Set<String>()
            for (kind, reference) in references where try c.queryFirst(
                "SELECT 1 FROM import_seen WHERE job_id = ? AND kind = ? AND reference = ?",
                [.integer(jobID), .integer(Int64(kind.rawValue)), .text(reference)], { _ in true }) != nil {
                found.insert("\(kind.rawValue)/\(reference)")
            }
            return found
        }
    }

    /// Ends an import that has not finished; its file goes.
    func cancel(_ id: Int64) async throws -> ImportJob {
        let at = milliseconds
        let job = try await database.write { tx -> ImportJob in
            guard var job = try Self.table.find(tx.connection, id: id) else { throw RPCError.notFound("import \(id) does not exist") }
            guard [.receiving, .queued, .running, .failed].contains(job.state) else {
                throw RPCError(.failedPrecondition, "import \(id) is \(job.state.name) already")
            }
            job.state = .cancelled
            job.finishedAtMilliseconds = at
            try Self.table.update(tx, job)
            try tx.run("DELETE FROM import_seen WHERE job_id = ?", [.integer(id)])
            return job
        }
        try? FileManager.default.removeItem(atPath: path(id))
        return job
    }

    /// A finished import keeps its counts; its file and a dry run's keys go.
    func finish(_ job: ImportJob) async throws {
        var done = job
        done.finishedAtMilliseconds = milliseconds
        let finished = done
        try await database.write { tx in
            try Self.table.update(tx, finished)
            try tx.run("DELETE FROM import_seen WHERE job_id = ?", [.integer(finished.id)])
        }
        if finished.state == .done { try? FileManager.default.removeItem(atPath: path(finished.id)) }
    }

    /// C8: a person erased from imports. The refused rows each import lists lose those
    /// that name one of `needles`; the file of a failed or cancelled import that names them
    /// is deleted; one still being received or read counts as waiting.
    func erase(_ needles: [String]) async throws -> (errors: Int64, files: Int64, waiting: Int64) {
        let bytes = needles.map { Array($0.utf8) }
        let jobs = try await database.read { c in try Self.table.list(c) }
        var errors: Int64 = 0, files: Int64 = 0, waiting: Int64 = 0
        for job in jobs {
            let kept = job.errors.filter { error in !needles.contains { error.description.contains($0) || error.externalID.contains($0) } }
            if kept.count != job.errors.count {
                var cleaned = job
                cleaned.errors = kept
                let saved = cleaned
                try await database.write { tx in try Self.table.update(tx, saved) }
                errors += Int64(job.errors.count - kept.count)
            }
            let file = path(job.id)
            guard FileManager.default.fileExists(atPath: file), try Self.file(file, holdsAnyOf: bytes) else { continue }
            switch job.state {
            case .failed, .cancelled, .done:
                try FileManager.default.removeItem(atPath: file)
                files += 1
            default:
                waiting += 1
            }
        }
        return (errors, files, waiting)
    }

    /// Whether the file at `path` holds any of `needles`, read a megabyte at a time.
    static func file(_ path: String, holdsAnyOf needles: [[UInt8]]) throws -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let overlap = max(0, (needles.map(\.count).max() ?? 0) - 1)
        var carried = Data()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            let window = carried + chunk
            if needles.contains(where: { window.range(of: Data($0)) != nil }) { return true }
            carried = window.suffix(overlap)
        }
        return false
    }

    /// An account export, with who asked (P5: who exported what).
    func recordExport(by author: SetupLog.Author, actor: String) async throws {
        let at = milliseconds
        try await database.write { tx in
            try SetupLog.record(tx, entity: "account_export", id: 0, by: author, at: at, ["account exported by \(actor)"])
        }
    }
}
