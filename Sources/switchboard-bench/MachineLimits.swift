import CLimits
import CSQLite
import Foundation
import Synchronization

/// `switchboard-bench limits` (issue 30 item 4): what this machine does at best, by plain C,
/// measured right before the Swift figures that compare with it, so a figure's ratio to its
/// limit means the same on any machine:
/// - limits.c_pingpong: one 80-byte message in flight over TCP loopback (an Echo call's
///   size), round trips a second and the median; rpc.sequential's limit;
/// - limits.c_pipelined64: 64 in flight on one connection; rpc.inflight64's limit;
/// - limits.sqlite_commit: one-row transactions through SQLite's C API (WAL, synchronous
///   NORMAL, as the services open their files); a service write's limit;
/// - limits.sqlite_lookup: primary-key reads of 400-byte rows through a prepared statement;
///   a service read's limit.
struct MachineLimits: Sendable {
    var pingPongPerSecond = 0.0
    var pingPongP50Microseconds = 0.0
    var pipelinedPerSecond = 0.0
    var sqliteCommitsPerSecond = 0.0
    var sqliteLookupsPerSecond = 0.0

    /// Seconds each limit is measured for.
    static let seconds = 2.0
    static let messageBytes = 80

    private static let measured = Mutex<MachineLimits?>(nil)

    /// The limits, measured the first time a suite asks (once per run).
    static func current() throws -> MachineLimits {
        if let known = measured.withLock({ $0 }) { return known }
        let limits = try measure()
        measured.withLock { $0 = limits }
        return limits
    }

    static func measure() throws -> MachineLimits {
        var limits = MachineLimits()
        guard climits_pingpong(seconds, messageBytes, &limits.pingPongPerSecond, &limits.pingPongP50Microseconds) == 0,
            climits_pipelined(seconds, messageBytes, 64, &limits.pipelinedPerSecond) == 0
        else { throw BenchError("the C loopback ping-pong failed: errno \(errno)") }
        (limits.sqliteCommitsPerSecond, limits.sqliteLookupsPerSecond) = try sqliteRates()
        return limits
    }

    /// One-row commits a second, then primary-key lookups a second, on a fresh file.
    static func sqliteRates() throws -> (commits: Double, lookups: Double) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-limits-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var db: OpaquePointer?
        guard sqlite3_open(folder.appendingPathComponent("limits.sqlite").path, &db) == SQLITE_OK, let db else { throw BenchError("cannot open SQLite") }
        defer { sqlite3_close(db) }
        func run(_ sql: String) throws {
            guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else { throw BenchError("SQLite: \(String(cString: sqlite3_errmsg(db)))") }
        }
        func prepare(_ sql: String) throws -> OpaquePointer {
            var statement: OpaquePointer?
            guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else { throw BenchError("SQLite: \(String(cString: sqlite3_errmsg(db)))") }
            return statement
        }
        try run("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB NOT NULL);")
        let begin = try prepare("BEGIN"), commit = try prepare("COMMIT"), insert = try prepare("INSERT INTO t (id, body) VALUES (?, ?)")
        let lookup = try prepare("SELECT body FROM t WHERE id = ?")
        defer { for s in [begin, commit, insert, lookup] { sqlite3_finalize(s) } }
        let body = [UInt8](repeating: 7, count: 400)
        var rows: Int64 = 0
        let commitsStart = Date()
        while Date().timeIntervalSince(commitsStart) < seconds {
            rows += 1
            sqlite3_step(begin); sqlite3_reset(begin)
            sqlite3_bind_int64(insert, 1, rows)
            _ = body.withUnsafeBytes { sqlite3_bind_blob(insert, 2, $0.baseAddress, Int32($0.count), nil) }
            guard sqlite3_step(insert) == SQLITE_DONE else { throw BenchError("SQLite insert: \(String(cString: sqlite3_errmsg(db)))") }
            sqlite3_reset(insert)
            sqlite3_step(commit); sqlite3_reset(commit)
        }
        let commits = Double(rows) / Date().timeIntervalSince(commitsStart)
        var random = DialerBench.Seeded(state: 30)
        var lookups = 0
        let lookupsStart = Date()
        while Date().timeIntervalSince(lookupsStart) < seconds {
            for _ in 0..<1000 {
                sqlite3_bind_int64(lookup, 1, Int64(1 + random.next(Int(rows))))
                guard sqlite3_step(lookup) == SQLITE_ROW, sqlite3_column_bytes(lookup, 0) == 400 else { throw BenchError("SQLite lookup found nothing") }
                sqlite3_reset(lookup)
            }
            lookups += 1000
        }
        return (commits, Double(lookups) / Date().timeIntervalSince(lookupsStart))
    }

    /// The `limits` suite's lines.
    var results: [BenchResult] {
        func line(_ scenario: String, _ perSecond: Double, _ extra: [(String, Int)] = []) -> BenchResult {
            var result = BenchResult(scenario: scenario, calls: Int(perSecond.rounded()), seconds: 1, latenciesNanoseconds: [], errors: 0)
            result.figures = extra
            return result
        }
        return [
            line("limits.c_pingpong", pingPongPerSecond, [("p50_us_x10", Int((pingPongP50Microseconds * 10).rounded()))]),
            line("limits.c_pipelined64", pipelinedPerSecond),
            line("limits.sqlite_commit", sqliteCommitsPerSecond),
            line("limits.sqlite_lookup", sqliteLookupsPerSecond),
        ]
    }

    /// `result`'s ratio to `limit` (calls a second), in hundredths, with the limit, as figures.
    static func ratio(_ result: inout BenchResult, to limit: Double, named name: String) {
        result.figures += [("\(name)_per_s", Int(limit.rounded())), ("ratio_x100", Int((100 * result.callsPerSecond / max(1, limit)).rounded()))]
    }
}
