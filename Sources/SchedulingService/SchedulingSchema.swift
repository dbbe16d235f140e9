import ServiceKit
import Storage

/// The scheduling service's tables: resources with their skills and zones, appointments,
/// and `busy`: each booked appointment's time per resource with its buffers, indexed so
/// the overlap check inside a booking's write reads a handful of rows.
public enum SchedulingSchema {
    public static let migrations: [Migration] = [
        Migration(1, """
            CREATE TABLE resources (
                id INTEGER PRIMARY KEY,
                kind INTEGER NOT NULL,
                staff_id INTEGER,
                resource BLOB NOT NULL,
                created_at INTEGER NOT NULL
            );
            -- 'skill:<name>' and 'zone:<name>', for slot search.
            CREATE TABLE resource_tags (tag TEXT NOT NULL, resource_id INTEGER NOT NULL, PRIMARY KEY (tag, resource_id)) WITHOUT ROWID;
            CREATE TABLE appointments (
                id INTEGER PRIMARY KEY,
                deal_id INTEGER NOT NULL,
                status INTEGER NOT NULL,
                appointment BLOB NOT NULL,
                created_at INTEGER NOT NULL
            );
            CREATE INDEX appointments_deal ON appointments (deal_id);
            CREATE TABLE busy (
                resource_id INTEGER NOT NULL,
                busy_from INTEGER NOT NULL,
                busy_to INTEGER NOT NULL,
                appointment_id INTEGER NOT NULL,
                PRIMARY KEY (resource_id, busy_from, appointment_id)
            ) WITHOUT ROWID;
            CREATE INDEX busy_appointment ON busy (appointment_id);
            -- S3: every appointment of a resource, cancelled ones too (calendars, feeds).
            CREATE TABLE appointment_resources (
                resource_id INTEGER NOT NULL,
                start_at INTEGER NOT NULL,
                end_at INTEGER NOT NULL,
                appointment_id INTEGER NOT NULL,
                PRIMARY KEY (resource_id, start_at, appointment_id)
            ) WITHOUT ROWID;
            CREATE INDEX appointment_resources_appointment ON appointment_resources (appointment_id);
            -- S3: each resource's iCalendar feed secret, as its SHA-256.
            CREATE TABLE feeds (resource_id INTEGER PRIMARY KEY, digest TEXT NOT NULL UNIQUE);
            """),
        // S5: series, their sessions and participants; the reminders planned (each also a
        // durable timer) and those sent.
        Migration(2, """
            CREATE TABLE series (id INTEGER PRIMARY KEY, name TEXT NOT NULL, reminder_minutes INTEGER NOT NULL, created_at INTEGER NOT NULL);
            CREATE TABLE sessions (
                id INTEGER PRIMARY KEY, series_id INTEGER NOT NULL, title TEXT NOT NULL,
                start_at INTEGER NOT NULL, end_at INTEGER NOT NULL, cancelled INTEGER NOT NULL
            );
            CREATE INDEX sessions_series ON sessions (series_id, start_at);
            CREATE TABLE participants (series_id INTEGER NOT NULL, contact_id INTEGER NOT NULL, joined_at INTEGER NOT NULL, PRIMARY KEY (series_id, contact_id)) WITHOUT ROWID;
            CREATE TABLE reminders (session_id INTEGER NOT NULL, contact_id INTEGER NOT NULL, due_at INTEGER NOT NULL, PRIMARY KEY (session_id, contact_id)) WITHOUT ROWID;
            CREATE TABLE reminders_sent (session_id INTEGER NOT NULL, contact_id INTEGER NOT NULL, start_at INTEGER NOT NULL, PRIMARY KEY (session_id, contact_id, start_at)) WITHOUT ROWID;
            """),
        // S4: groups, their lessons (each holding teacher and room in busy as -id), enrolments.
        Migration(3, """
            CREATE TABLE groups (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, grp BLOB NOT NULL);
            CREATE TABLE lessons (
                id INTEGER PRIMARY KEY, group_id INTEGER NOT NULL, start_at INTEGER NOT NULL, end_at INTEGER NOT NULL,
                cancelled INTEGER NOT NULL, moved INTEGER NOT NULL
            );
            CREATE INDEX lessons_group ON lessons (group_id, start_at);
            CREATE TABLE enrolments (
                group_id INTEGER NOT NULL, contact_id INTEGER NOT NULL, status INTEGER NOT NULL, deal_id INTEGER,
                enrolment BLOB NOT NULL, since INTEGER NOT NULL, PRIMARY KEY (group_id, contact_id)
            ) WITHOUT ROWID;
            CREATE INDEX enrolments_deal ON enrolments (deal_id) WHERE deal_id IS NOT NULL;
            """),
        // S6: one mark per student and lesson or session.
        Migration(4, """
            CREATE TABLE attendance (
                kind TEXT NOT NULL, item_id INTEGER NOT NULL, contact_id INTEGER NOT NULL, record BLOB NOT NULL,
                PRIMARY KEY (kind, item_id, contact_id)
            ) WITHOUT ROWID;
            """),
        // Issue 26: resources are archived, and every change is kept.
        Migration(5, SetupLog.migration + """
            ALTER TABLE resources ADD COLUMN archived_at INTEGER;
            """),
    ]
}
