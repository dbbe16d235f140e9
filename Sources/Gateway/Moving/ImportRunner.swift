import Contracts
import Foundation
import JSON
import RPC
import ServiceKit
import Wire

/// G7: runs imports one at a time, oldest first. It reads the file a record at a time,
/// checks each row against the schema (a bad row is refused with its line and field,
/// the others go on), and hands consecutive rows to the service that keeps them in
/// batches: staff and contacts to contacts, the rest to deals, whose rows name contacts
/// and staff that contacts resolves first. After each batch the import's progress is
/// written, so a crash resumes at the first batch not kept (a batch sent twice is updated,
/// not doubled). A service that is down is waited for; nothing is skipped.
final class ImportRunner: BackgroundService, Sendable {
    /// Rows a batch carries at most.
    static let batchRows = 500
    /// How long one batch may take in a service.
    static let batchTimeout: Duration = .seconds(120)

    let jobs: ImportJobs
    let contacts: RPCClient
    let deals: RPCClient
    let logger: Logger
    private let loop = BackgroundLoop()

    init(jobs: ImportJobs, contacts: RPCClient, deals: RPCClient, logger: Logger) {
        self.jobs = jobs
        self.contacts = contacts
        self.deals = deals
        self.logger = logger
    }

    func start() { loop.start { [self] in await run() } }
    func stop() async { await loop.stop() }
    /// A new import is queued.
    func wake() { loop.wake() }

    private func run() async {
        while !Task.isCancelled {
            do {
                if let job = try await jobs.next() {
                    try await process(job)
                    continue
                }
            } catch is CancellationError {
                return
            } catch {
                logger.error("import runner", ["error": "\(error)"])
            }
            await loop.wait(upTo: .seconds(5))
        }
    }

    /// Where a batch goes.
    enum Target { case contacts, deals }

    /// Rows read but not yet kept, with what the progress becomes once they are.
    struct Pending {
        var target: Target = .contacts
        var rows: [ImportRow] = []
        var lines: [Int64] = []
        var refusedHere: [ImportError] = []
        var read: Int64 = 0
        var end: Int64 = 0
        var endLine: Int64 = 0

        var isEmpty: Bool { read == 0 }
    }

    /// Thrown when an admin cancelled the import meanwhile.
    struct Cancelled: Error {}

    func process(_ started: ImportJob) async throws {
        var job = started
        job.state = .running
        do {
            try await jobs.save(job)
            let quoted = job.format == .csv
            var file = try ImportFile(path: jobs.path(job.id), offset: job.bytesRead, line: job.linesRead, quoted: quoted)
            defer { file.close() }
            var layout: CSVImportLayout?
            if quoted {
                layout = try header(job)
                if job.bytesRead == 0 { _ = try file.next() }
            }
            var pending = Pending()
            while let record = try file.next() {
                try Task.checkCancellation()
                if !record.bytes.contains(where: { $0 != 0x20 && $0 != 0x09 }) && !record.tooLong {
                    (pending.end, pending.endLine) = (record.end, record.lastLine)
                    continue
                }
                switch parse(record, layout: layout) {
                case let .refused(error):
                    pending.refusedHere.append(error)
                case let .row(row):
                    let target: Target = row.keptByContacts ? .contacts : .deals
                    // Rows go in file order: the batch before a change of service is kept first.
                    if !pending.rows.isEmpty && pending.target != target { try await flush(&job, &pending) }
                    pending.target = target
                    pending.rows.append(row)
                    pending.lines.append(record.line)
                }
                pending.read += 1
                (pending.end, pending.endLine) = (record.end, record.lastLine)
                if pending.read >= Self.batchRows { try await flush(&job, &pending) }
            }
            try await flush(&job, &pending)
            job.state = .done
            try await jobs.finish(job)
            logger.info("import done", ["import": "\(job.id)", "rows": "\(job.rowsRead)", "refused": "\(job.refused)"])
        } catch is Cancelled {
            logger.info("import cancelled", ["import": "\(job.id)"])
        } catch let error as CancellationError {
            throw error
        } catch {
            // Something no row caused (its file gone, a service refusing the call itself).
            job.state = .failed
            job.failure = "\(error)"
            try? await jobs.finish(job)
            logger.error("import failed", ["import": "\(job.id)", "error": "\(error)"])
        }
    }

    /// A CSV's header, read again from the file's start (a resumed import needs it too).
    func header(_ job: ImportJob) throws -> CSVImportLayout {
        var file = try ImportFile(path: jobs.path(job.id), offset: 0, line: 0, quoted: true)
        defer { file.close() }
        guard var record = try file.next() else {
            throw RPCError.invalidArgument("the CSV file is empty: it needs a header line")
        }
        if record.bytes.starts(with: [0xEF, 0xBB, 0xBF]) { record.bytes.removeFirst(3) }
        return try CSVImportLayout(kind: job.kind, header: CSVImportLayout.fields(record.bytes))
    }

    /// A record as a row, or why it is refused (with its line).
    func parse(_ record: ImportFile.Record, layout: CSVImportLayout?) -> Parsed {
        func refused(_ field: String, _ description: String, _ externalID: String = "") -> Parsed {
            .refused(ImportError(line: record.line, externalID: externalID, field: field, description: description))
        }
        guard !record.tooLong else { return refused("", "the line is longer than \(ImportFile.maximumRecordBytes) bytes") }
        var bytes = record.bytes
        if let layout {
            let fields = CSVImportLayout.fields(record.bytes)
            guard fields.count <= layout.columns.count else {
                return refused("", "the line has \(fields.count) fields; the header names \(layout.columns.count)")
            }
            bytes = layout.json(fields)
        }
        let object: JSONObject
        do {
            object = try RequestBody.object(bytes)
        } catch {
            return refused("", error.message)
        }
        let row: ImportRow
        do {
            row = try ImportRow(json: object)
        } catch {
            let first = error.details.first
            return refused(first?.field ?? "", first.map { "\($0.description)\(error.details.count > 1 ? " (and \(error.details.count - 1) more)" : "")" } ?? error.message,
                           Self.externalID(object))
        }
        guard row.kindsHeld == 1 else {
            return refused("", "a row holds exactly one of staff, contact, pipeline, deal, task, note and activity", Self.externalID(object))
        }
        return .row(row)
    }

    /// A record read: a row, or why it is refused.
    enum Parsed {
        case row(ImportRow)
        case refused(ImportError)
    }

    /// The external id a refused row had, to name it in the errors.
    static func externalID(_ object: JSONObject) -> String {
        for (_, value) in object.members {
            if case let .object(inner) = value, case let .string(id)? = inner.members.first(where: { $0.0 == "externalId" })?.1 { return String(id.prefix(200)) }
        }
        return ""
    }

    /// Sends the pending rows to their service and writes the progress.
    func flush(_ job: inout ImportJob, _ pending: inout Pending) async throws {
        defer { pending = Pending() }
        guard !pending.isEmpty else { return }
        var seen: [(ImportKind, String)] = []
        var errors = pending.refusedHere
        var counts = (created: Int64(0), updated: Int64(0), matched: Int64(0), refused: Int64(pending.refusedHere.count))
        if !pending.rows.isEmpty {
            var batch = ImportBatch(source: job.source, rows: pending.rows, dryRun: job.dryRun, announce: job.announce)
            batch.references = try await resolve(pending.rows, job: job)
            let client = pending.target == .contacts ? contacts : deals
            let outcomes = try await keep(batch, on: client, deals: pending.target == .deals)
            guard outcomes.outcomes.count == pending.rows.count else {
                throw RPCError.internal("the service answered \(outcomes.outcomes.count) outcomes for \(pending.rows.count) rows")
            }
            for (i, outcome) in outcomes.outcomes.enumerated() {
                switch outcome.result {
                case .created: counts.created += 1
                case .updated: counts.updated += 1
                case .matched: counts.matched += 1
                default:
                    counts.refused += 1
                    let externalID = pending.rows[i].externalID
                    for problem in outcome.problems.prefix(1) {
                        errors.append(ImportError(line: pending.lines[i], externalID: externalID, field: problem.field, description: problem.description))
                    }
                }
                if job.dryRun && outcome.result != .refused {
                    seen.append((pending.rows[i].kind, pending.rows[i].externalID))
                    if let pipeline = pending.rows[i].pipeline { seen.append((.pipeline, pipeline.name)) }
                }
            }
        }
        job.rowsRead += pending.read
        job.created += counts.created
        job.updated += counts.updated
        job.matched += counts.matched
        job.refused += counts.refused
        job.errors += errors.sorted { $0.line < $1.line }.prefix(max(0, ImportJobs.keptErrors - job.errors.count))
        job.bytesRead = pending.end
        job.linesRead = pending.endLine
        let current = job
        if try await jobs.get(job.id)?.state == .cancelled { throw Cancelled() }
        try await jobs.save(current, seen: seen)
    }

    /// What contacts says the rows' contacts and staff are; in a dry run, those earlier rows
    /// of the file made (and its pipelines and deals) stand as 0.
    func resolve(_ rows: [ImportRow], job: ImportJob) async throws -> [ImportReference] {
        var found: [ImportReference] = []
        for request in rows.resolveRequests(source: job.source) {
            found += try await retrying { try await self.contacts.call(Contacts.resolveImports, request, options: CallOptions(timeout: .seconds(30))) }.references
        }
        guard job.dryRun else { return found }
        let known = Set(found.map { "\($0.kind.rawValue)/\($0.reference)" })
        let wanted = rows.references.map { ($0.kind, $0.reference) }
        let seen = try await jobs.seen(job.id, wanted.filter { !known.contains("\($0.0.rawValue)/\($0.1)") })
        for (kind, reference) in wanted where seen.contains("\(kind.rawValue)/\(reference)") {
            found.append(ImportReference(kind: kind, reference: reference, id: 0))
        }
        return found
    }

    func keep(_ batch: ImportBatch, on client: RPCClient, deals: Bool) async throws -> ImportOutcomes {
        let options = CallOptions(timeout: Self.batchTimeout)
        return try await retrying {
            deals ? try await client.call(Deals.importRecords, batch, options: options) : try await client.call(Contacts.importRecords, batch, options: options)
        }
    }

    /// A service that is down or slow is waited for (the import stays running); anything
    /// else stops the import as failed.
    func retrying<T: Sendable>(_ call: @Sendable () async throws -> T) async throws -> T {
        var delay: Duration = .milliseconds(200)
        while true {
            do {
                return try await call()
            } catch let error as RPCError where [.unavailable, .deadlineExceeded, .resourceExhausted].contains(error.code) {
                try Task.checkCancellation()
                logger.warn("import waits for a service", ["error": "\(error)"])
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }
}
