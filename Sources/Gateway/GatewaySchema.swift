import ServiceKit
import Storage

/// The tables of the gateway's own SQLite file: answers to idempotent POSTs (G5), the
/// credentials admins make (G3), and the integrations and webhooks of G2.
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
        Migration(3, """
            CREATE TABLE integrations (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                kind INTEGER NOT NULL,
                secret BLOB NOT NULL,
                token_digest BLOB NOT NULL,
                max_body_bytes INTEGER NOT NULL,
                api_base_url TEXT NOT NULL,
                api_token TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                created_by TEXT NOT NULL,
                revoked_at INTEGER
            );
            CREATE TABLE hooks (
                id INTEGER PRIMARY KEY,
                integration_id INTEGER NOT NULL REFERENCES integrations(id),
                received_at INTEGER NOT NULL,
                content_type TEXT NOT NULL,
                headers TEXT NOT NULL,
                body BLOB NOT NULL,
                origin TEXT NOT NULL,
                status INTEGER NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                last_error TEXT NOT NULL DEFAULT '',
                delivered_at INTEGER
            );
            CREATE INDEX hooks_status ON hooks (status, id);
            CREATE INDEX hooks_integration ON hooks (integration_id, id);
            """),
        Migration(4, "ALTER TABLE integrations ADD COLUMN account_id TEXT NOT NULL DEFAULT ''"),
        Migration(5, "ALTER TABLE integrations ADD COLUMN payment_opens INTEGER NOT NULL DEFAULT 0"),
        Migration(6, """
            ALTER TABLE hooks ADD COLUMN discarded_by TEXT NOT NULL DEFAULT '';
            ALTER TABLE hooks ADD COLUMN discarded_at INTEGER;
            ALTER TABLE hooks ADD COLUMN discard_reason TEXT NOT NULL DEFAULT '';
            """),
        // Issue 26: integrations change, with history.
        Migration(7, SetupLog.migration),
        // Issue 27 (G6): people's passwords, invite links and console sessions; secrets only as digests.
        Migration(8, """
            CREATE TABLE person_passwords (staff_id INTEGER PRIMARY KEY, hash TEXT NOT NULL, changed_at INTEGER NOT NULL);
            CREATE TABLE person_invites (
                digest BLOB PRIMARY KEY, staff_id INTEGER NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
                used_at INTEGER, created_by TEXT NOT NULL
            );
            CREATE INDEX person_invites_staff ON person_invites (staff_id);
            CREATE TABLE person_sessions (
                id INTEGER PRIMARY KEY, digest BLOB NOT NULL UNIQUE, staff_id INTEGER NOT NULL, role INTEGER NOT NULL,
                csrf TEXT NOT NULL, created_at INTEGER NOT NULL, seen_at INTEGER NOT NULL, ended_at INTEGER, ended_why TEXT NOT NULL DEFAULT ''
            );
            CREATE INDEX person_sessions_live ON person_sessions (staff_id) WHERE ended_at IS NULL;
            """),
        // Passwords and invites live with the staff in contacts (every replica sees them); a
        // session remembers the password it began under.
        Migration(9, """
            DROP TABLE person_passwords;
            DROP TABLE person_invites;
            ALTER TABLE person_sessions ADD COLUMN password_stamp INTEGER NOT NULL DEFAULT 0;
            """),
        // Issue 28 (G7): imports and how far each got; the keys a dry run's rows made.
        Migration(10, """
            CREATE TABLE import_jobs (id INTEGER PRIMARY KEY, state INTEGER NOT NULL, body BLOB NOT NULL);
            CREATE INDEX import_jobs_state ON import_jobs (state, id);
            CREATE TABLE import_seen (
                job_id INTEGER NOT NULL, kind INTEGER NOT NULL, reference TEXT NOT NULL, PRIMARY KEY (job_id, kind, reference)
            ) WITHOUT ROWID;
            """),
        // Issue 28 (G7): integrations that take Switchboard's changes back, and how far the push-back read deals' events.
        Migration(11, """
            ALTER TABLE integrations ADD COLUMN push_back INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE integrations ADD COLUMN push_since INTEGER NOT NULL DEFAULT 0;
            CREATE TABLE push_cursors (integration_id INTEGER PRIMARY KEY, cursors TEXT NOT NULL);
            """),
        // Issue 29 (P5): the audit log.
        Migration(12, AuditLog.migration),
        // Issue 29 (C8): people's erasures, each step's report.
        Migration(13, PersonErasures.migration),
    ]
}
