import Storage

/// The tables of the gateway's own SQLite file: answers to idempotent POSTs (G5) and
/// the credentials admins make (G3).
public enum GatewaySchema {
    public static let migrations = [
        Migration(1, """
            CREATE TABLE idempotency (
                scope TEXT NOT NULL,
                key TEXT NOT NULL,
                fingerprint INTEGER NOT NULL,
                status INTEGER NOT NULL,
                headers TEXT NOT NULL,
                body BLOB NOT NULL,
                created_at INTEGER NOT NULL,
                PRIMARY KEY (scope, key)
            ) WITHOUT ROWID;
            CREATE INDEX idempotency_age ON idempotency (created_at);
            """),
        Migration(2, """
            CREATE TABLE credentials (
                id INTEGER PRIMARY KEY,
                digest BLOB NOT NULL UNIQUE,
                prefix TEXT NOT NULL,
                name TEXT NOT NULL,
                role INTEGER NOT NULL,
                staff_id INTEGER,
                created_at INTEGER NOT NULL,
                created_by TEXT NOT NULL,
                revoked_at INTEGER
            );
            """),
    ]
}
