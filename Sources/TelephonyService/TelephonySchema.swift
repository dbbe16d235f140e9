import Contracts
import Storage

/// One shard file of the telephony service (T12): a number's sessions, the provider ids
/// that name them, and the staff each one rang. Shipped migrations are never edited.
public enum TelephonySchema {
    /// The replica's own file: the shards it handed over to another replica (T12).
    public static let controlMigrations: [Migration] = [
        Migration(1, """
            CREATE TABLE handed_off (
                shard INTEGER PRIMARY KEY,
                to_replica TEXT NOT NULL,
                at INTEGER NOT NULL
            );
            """),
        Migration(2, """
            -- T10: every version of the dialer's settings, who set it and when (the audit).
            CREATE TABLE dialer_settings (
                version INTEGER PRIMARY KEY,
                settings BLOB NOT NULL,
                set_by TEXT NOT NULL,
                set_at INTEGER NOT NULL
            );
            -- Accepted leads on their way into their shard's queue.
            CREATE TABLE queue_inbox (
                lead_id INTEGER PRIMARY KEY,
                lead BLOB NOT NULL
            );
            """),
        // Issue 26: operators who left, on their way to each owned shard's queue.
        Migration(3, """
            CREATE TABLE staff_departures (
                staff_id INTEGER PRIMARY KEY,
                hand_to INTEGER NOT NULL
            );
            """),
        // Issue 29 (C8): people's words on calls, on their way to each owned shard's do-not-call list.
        Migration(4, "CREATE TABLE call_consents (seq INTEGER PRIMARY KEY, change BLOB NOT NULL);"),
    ]

    public static let shardMigrations: [Migration] = [
        Migration(1, """
            CREATE TABLE calls (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                client_number TEXT NOT NULL,
                started_at INTEGER NOT NULL,
                direction INTEGER NOT NULL,
                answered INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                session BLOB NOT NULL
            );
            CREATE INDEX calls_client ON calls (client_number, started_at);
            CREATE INDEX calls_started ON calls (started_at, seq);
            CREATE TABLE call_ids (
                provider_call_id TEXT PRIMARY KEY,
                seq INTEGER NOT NULL REFERENCES calls(seq)
            ) WITHOUT ROWID;
            CREATE TABLE call_staff (
                seq INTEGER NOT NULL REFERENCES calls(seq),
                staff_id INTEGER NOT NULL,
                answered INTEGER NOT NULL,
                PRIMARY KEY (seq, staff_id)
            ) WITHOUT ROWID;
            CREATE INDEX call_staff_staff ON call_staff (staff_id, seq);
            """),
        Migration(2, """
            -- T10: the dialing queue of the shard's numbers. `key` orders ready entries as
            -- their score does at any moment (DialScore.key).
            CREATE TABLE queue (
                seq INTEGER PRIMARY KEY,
                lead_id INTEGER NOT NULL UNIQUE,
                entry BLOB NOT NULL,
                state INTEGER NOT NULL,
                key INTEGER NOT NULL,
                callback_for INTEGER,
                not_before INTEGER,
                lease_until INTEGER,
                settings_version INTEGER NOT NULL,
                outside_hours INTEGER NOT NULL DEFAULT 0
            );
            CREATE INDEX queue_ready ON queue (state, key DESC, seq);
            CREATE INDEX queue_waiting ON queue (state, not_before);
            CREATE INDEX queue_leases ON queue (state, lease_until);
            """),
        // T10: callbacks reserved for one operator, found without a scan of the ready entries.
        Migration(3, "CREATE INDEX queue_reserved ON queue (state) WHERE callback_for IS NOT NULL"),
        // G3: every operator an entry was ever leased to, so an outcome from anyone else
        // answers as for an entry that does not exist.
        Migration(4, """
            CREATE TABLE queue_lessees (
                seq INTEGER NOT NULL,
                operator_id INTEGER NOT NULL,
                PRIMARY KEY (seq, operator_id)
            ) WITHOUT ROWID;
            """),
        // T10: one open lease per operator — who holds a lease, found without decoding the
        // queue. Leases taken before this migration (two minutes at most) are not seen as held.
        Migration(5, """
            ALTER TABLE queue ADD COLUMN leased_by INTEGER;
            CREATE INDEX queue_leased_by ON queue (leased_by) WHERE leased_by IS NOT NULL;
            """),
        // T10 (issue 26): numbers never queued again (a shard's own, so a hand-off carries
        // them); each entry's number, to close a number's entries when it is marked.
        Migration(6, """
            CREATE TABLE do_not_call (phone TEXT PRIMARY KEY, entry BLOB NOT NULL) WITHOUT ROWID;
            ALTER TABLE queue ADD COLUMN phone TEXT NOT NULL DEFAULT '';
            """, rewrite: { c in
                for (seq, entry) in try c.query("SELECT seq, entry FROM queue", []) { ($0.int64(0), try QueueEntry(wireBytes: $0.blob(1))) } {
                    try c.run("UPDATE queue SET phone = ? WHERE seq = ?", [.text(entry.phone), .integer(seq)])
                }
            }, finish: "CREATE INDEX queue_phone ON queue (phone) WHERE phone != '';"),
        // Issue 29 (P5): which calls hold a recording link, for RecordingRetention.
        Migration(7, "ALTER TABLE calls ADD COLUMN recorded INTEGER NOT NULL DEFAULT 0;", rewrite: { c in
            for (seq, session) in try c.query("SELECT seq, session FROM calls", []) { ($0.int64(0), try CallSession(wireBytes: $0.blob(1))) }
            where RecordingRetention.recorded(session) {
                try c.run("UPDATE calls SET recorded = 1 WHERE seq = ?", [.integer(seq)])
            }
        }, finish: "CREATE INDEX calls_recorded ON calls (started_at) WHERE recorded = 1;"),
    ]
}
