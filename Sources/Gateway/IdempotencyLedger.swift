import Foundation
import HTTP
import Storage

/// G5 across restarts: the answers to POSTs with an `Idempotency-Key`, kept in the
/// gateway's own SQLite file for `lifetime`, so a client retrying after a gateway
/// restart (or after the in-memory cache let the key go) gets the first answer instead
/// of a second deal. The in-memory ``IdempotencyStore`` still decides "running" and
/// "mismatch" for requests in flight.
public struct IdempotencyLedger: Sendable {
    let database: Database
    public let lifetime: TimeInterval

    /// On the gateway's database (``GatewaySchema``).
    public init(database: Database, lifetime: TimeInterval = 24 * 3600) {
        self.database = database
        self.lifetime = lifetime
    }

    /// Opens (creating if needed) the gateway's SQLite file at `path`.
    public init(path: String, lifetime: TimeInterval = 24 * 3600) throws {
        self.init(database: try Database(path: path, migrations: GatewaySchema.migrations), lifetime: lifetime)
    }

    /// Waits for pending writes and checkpoints the file.
    public func close() async throws {
        try await database.close()
    }

    /// The stored answer for (scope, key) and the fingerprint of the request it answered.
    public func find(scope: String, key: String, now: Date = Date()) async throws -> (fingerprint: UInt64, response: HTTPResponse)? {
        let since = Int64((now.timeIntervalSince1970 - lifetime) * 1000)
        return try await database.read { c in
            try c.queryFirst(
                "SELECT fingerprint, status, headers, body FROM idempotency WHERE scope = ? AND key = ? AND created_at >= ?",
                [.text(scope), .text(key), .integer(since)]
            ) { row in
                let headers = row.string(2).split(separator: "\n").compactMap { line -> (name: String, value: String)? in
                    guard let colon = line.firstIndex(of: ":") else { return nil }
                    return (String(line[..<colon]), String(line[line.index(after: colon)...]))
                }
                return (UInt64(bitPattern: row.int64(0)), HTTPResponse(status: row.int(1), headers: headers, body: row.blob(3)))
            }
        }
    }

    /// Keeps the answer; 5xx answers are not kept (a retry runs again).
    public func record(scope: String, key: String, fingerprint: UInt64, response: HTTPResponse, now: Date = Date()) async throws {
        guard response.status < 500 else { return }
        let headers = response.headers.map { "\($0.name):\($0.value)" }.joined(separator: "\n")
        _ = try await database.write { tx in
            try tx.run(
                "INSERT OR REPLACE INTO idempotency (scope, key, fingerprint, status, headers, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [.text(scope), .text(key), .integer(Int64(bitPattern: fingerprint)), .integer(Int64(response.status)), .text(headers),
                 .blob(response.body), .integer(Int64(now.timeIntervalSince1970 * 1000))])
        }
    }

    /// Forgets answers older than the lifetime; returns how many.
    @discardableResult
    public func prune(now: Date = Date()) async throws -> Int {
        try await database.write { tx in
            try tx.run("DELETE FROM idempotency WHERE created_at < ?", [.integer(Int64((now.timeIntervalSince1970 - lifetime) * 1000))])
        }
    }
}
