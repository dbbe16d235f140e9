import FoundationEssentials

/// The tables Storage itself owns (the migration record, the outbox, inbox and timers)
/// and a service's numbered migrations, applied once each, in order, at open; an older
/// build refuses a newer database.
enum SchemaMigrator {
    /// Tables Storage itself owns: the migration record, the outbox with its parked
    /// events, the inbox, durable timers and their failures.
    static func bootstrap(_ connection: Connection) throws(StorageError) {
        try connection.execute("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY,
                applied_at INTEGER NOT NULL
            );
            CREATE TABLE IF NOT EXISTS outbox (
                sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                event_id TEXT NOT NULL UNIQUE,
                event_type TEXT NOT NULL,
                aggregate_id TEXT NOT NULL,
                payload BLOB NOT NULL,
                created_at INTEGER NOT NULL,
                traceparent TEXT NOT NULL DEFAULT ''
            );
            CREATE TABLE IF NOT EXISTS outbox_cursor (
                subscriber TEXT PRIMARY KEY,
                delivered_through INTEGER NOT NULL
            );
            CREATE TABLE IF NOT EXISTS inbox (
                event_id TEXT PRIMARY KEY,
                received_at INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS timers (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                kind TEXT NOT NULL,
                key TEXT NOT NULL,
                due_at INTEGER NOT NULL,
                payload BLOB NOT NULL,
                UNIQUE (kind, key)
            );
            CREATE INDEX IF NOT EXISTS timers_due ON timers (due_at);
            CREATE TABLE IF NOT EXISTS outbox_parked (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                subscriber TEXT NOT NULL,
                sequence INTEGER NOT NULL,
                event_id TEXT NOT NULL,
                event_type TEXT NOT NULL,
                aggregate_id TEXT NOT NULL,
                payload BLOB NOT NULL,
                created_at INTEGER NOT NULL,
                code INTEGER NOT NULL,
                message TEXT NOT NULL,
                held_behind TEXT NOT NULL,
                attempts INTEGER NOT NULL,
                parked_at INTEGER NOT NULL,
                last_attempt_at INTEGER NOT NULL,
                UNIQUE (subscriber, event_id)
            );
            CREATE INDEX IF NOT EXISTS outbox_parked_aggregate ON outbox_parked (subscriber, aggregate_id, sequence);
            CREATE TABLE IF NOT EXISTS timer_failures (
                timer_id INTEGER PRIMARY KEY,
                attempts INTEGER NOT NULL,
                last_error TEXT NOT NULL,
                parked_at INTEGER
            );
            """)
        // P5 (issue 29): events carry the trace that made them; older files gain the column.
        let columns = (try? connection.query("PRAGMA table_info(outbox)") { $0.string(1) }) ?? []
        if !columns.contains("traceparent") {
            try connection.execute("ALTER TABLE outbox ADD COLUMN traceparent TEXT NOT NULL DEFAULT ''")
        }
    }

    static func migrate(_ connection: Connection, _ migrations: [Migration], path: String) throws(StorageError) {
        for (index, migration) in migrations.enumerated() where migration.version != index + 1 {
            throw StorageError(.migration, "migrations must be numbered 1, 2, 3...; found \(migration.version) at position \(index + 1)")
        }
        let applied: Int
        do {
            applied = try connection.queryFirst("SELECT COALESCE(MAX(version), 0) FROM schema_migrations") { $0.int(0) } ?? 0
        } catch {
            throw StorageError(.migration, "\(path): cannot read schema_migrations: \(error)")
        }
        guard applied <= migrations.count else {
            throw StorageError(
                .migration,
                "\(path) is at schema version \(applied) but this build knows only \(migrations.count): refusing to run an older build against a newer database")
        }
        for migration in migrations.dropFirst(applied) {
            do {
                try connection.execute("BEGIN IMMEDIATE")
                try connection.execute(migration.sql)
                try migration.rewrite?(connection)
                if !migration.finish.isEmpty { try connection.execute(migration.finish) }
                try connection.run(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                    [.integer(Int64(migration.version)), .integer(Int64(Date().timeIntervalSince1970 * 1000))])
                try connection.execute("COMMIT")
            } catch {
                try? connection.execute("ROLLBACK")
                throw StorageError(.migration, "\(path): migration \(migration.version) failed: \(error)")
            }
        }
    }
}
