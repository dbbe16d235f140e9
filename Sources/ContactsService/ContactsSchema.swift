import Digest
import ServiceKit
import Storage

/// The contacts database. Shipped migrations are never edited; add new ones.
public enum ContactsSchema {
    public static let migrations: [Migration] = [
        Migration(1, """
            CREATE TABLE contacts (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                first_name TEXT NOT NULL DEFAULT '',
                last_name TEXT NOT NULL DEFAULT '',
                first_key TEXT NOT NULL DEFAULT '',
                last_key TEXT NOT NULL DEFAULT '',
                company TEXT NOT NULL DEFAULT '',
                source_channel TEXT NOT NULL DEFAULT '',
                source_tracking_number TEXT NOT NULL DEFAULT '',
                utm_source TEXT NOT NULL DEFAULT '',
                utm_medium TEXT NOT NULL DEFAULT '',
                utm_campaign TEXT NOT NULL DEFAULT '',
                responsible_id INTEGER,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                merged_into INTEGER REFERENCES contacts(id),
                deleted_at INTEGER
            );
            CREATE INDEX contacts_first_key ON contacts(first_key);
            CREATE INDEX contacts_last_key ON contacts(last_key);
            CREATE INDEX contacts_created_at ON contacts(created_at);
            CREATE INDEX contacts_source_channel ON contacts(source_channel);
            CREATE TABLE contact_emails (
                contact_id INTEGER NOT NULL REFERENCES contacts(id),
                email TEXT NOT NULL,
                position INTEGER NOT NULL,
                PRIMARY KEY (contact_id, email)
            );
            CREATE INDEX contact_emails_email ON contact_emails(email);
            CREATE TABLE contact_phones (
                contact_id INTEGER NOT NULL REFERENCES contacts(id),
                number TEXT NOT NULL,
                extension TEXT NOT NULL DEFAULT '',
                position INTEGER NOT NULL,
                PRIMARY KEY (contact_id, number)
            );
            CREATE INDEX contact_phones_number ON contact_phones(number);
            CREATE TABLE contact_tags (
                contact_id INTEGER NOT NULL REFERENCES contacts(id),
                tag TEXT NOT NULL,
                position INTEGER NOT NULL,
                PRIMARY KEY (contact_id, tag)
            );
            CREATE INDEX contact_tags_tag ON contact_tags(tag);
            CREATE TABLE contact_fields (
                contact_id INTEGER NOT NULL REFERENCES contacts(id),
                name TEXT NOT NULL,
                value TEXT NOT NULL,
                position INTEGER NOT NULL,
                PRIMARY KEY (contact_id, name)
            );
            CREATE TABLE contact_merges (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                survivor_id INTEGER NOT NULL REFERENCES contacts(id),
                merged_id INTEGER NOT NULL REFERENCES contacts(id),
                merged_by TEXT NOT NULL,
                merged_at INTEGER NOT NULL,
                fields_taken TEXT NOT NULL,
                survivor_before BLOB NOT NULL,
                merged_before BLOB NOT NULL
            );
            CREATE TABLE staff (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                first_name TEXT NOT NULL,
                last_name TEXT NOT NULL,
                role INTEGER NOT NULL,
                email TEXT NOT NULL DEFAULT '',
                supervisor_id INTEGER REFERENCES staff(id),
                zone TEXT NOT NULL DEFAULT '',
                created_at INTEGER NOT NULL
            );
            CREATE TABLE staff_numbers (
                staff_id INTEGER NOT NULL REFERENCES staff(id),
                number TEXT NOT NULL UNIQUE,
                kind TEXT NOT NULL CHECK (kind IN ('extension', 'mobile')),
                position INTEGER NOT NULL
            );
            CREATE TABLE staff_skills (
                staff_id INTEGER NOT NULL REFERENCES staff(id),
                skill TEXT NOT NULL,
                PRIMARY KEY (staff_id, skill)
            );
            """),
        Migration(2, """
            CREATE TABLE attendance (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                contact_id INTEGER NOT NULL REFERENCES contacts(id),
                source TEXT NOT NULL,
                event_id TEXT NOT NULL,
                event_title TEXT NOT NULL,
                event_starts_at INTEGER,
                order_id TEXT NOT NULL,
                code TEXT NOT NULL,
                status TEXT NOT NULL,
                attended INTEGER NOT NULL,
                recorded_at INTEGER NOT NULL,
                UNIQUE (source, order_id, code)
            );
            CREATE INDEX attendance_contact ON attendance (contact_id);
            CREATE INDEX attendance_event ON attendance (source, event_id);
            """),
        // Issue 26: staff are edited and leave, with history.
        Migration(3, SetupLog.migration + """
            ALTER TABLE staff ADD COLUMN deactivated_at INTEGER;
            ALTER TABLE staff ADD COLUMN handed_to INTEGER;
            """),
        // Issue 26 item 2: declared contact fields; the names contacts held are declared as text.
        Migration(
            4, CustomFieldRegistry.migration + "CREATE INDEX contact_fields_value ON contact_fields (name, value);",
            rewrite: { c in
                try CustomFieldRegistry.declareAsText(c, Set(try c.query("SELECT DISTINCT name FROM contact_fields", []) { $0.string(0) }))
            }),
        // Issue 27 (G6): staff's console passwords (as the gateway hashed them) and invites (as digests).
        Migration(5, """
            CREATE TABLE staff_passwords (staff_id INTEGER PRIMARY KEY, hash TEXT NOT NULL, changed_at INTEGER NOT NULL);
            CREATE TABLE staff_invites (
                digest BLOB PRIMARY KEY, staff_id INTEGER NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
                used_at INTEGER, created_by TEXT NOT NULL
            );
            CREATE INDEX staff_invites_member ON staff_invites (staff_id);
            """),
        // Issue 28 (G7): what imports made, by source and external id.
        Migration(6, ImportLedger.migration),
        // Issue 29 (C8): erased people, and their phones and emails as salted digests.
        Migration(7, """
            ALTER TABLE contacts ADD COLUMN erased_at INTEGER;
            CREATE TABLE erased_identifiers (digest BLOB PRIMARY KEY, erased_at INTEGER NOT NULL) WITHOUT ROWID;
            CREATE TABLE erasure_salt (id INTEGER PRIMARY KEY CHECK (id = 1), salt BLOB NOT NULL);
            """, rewrite: { c in try c.run("INSERT INTO erasure_salt (id, salt) VALUES (1, ?)", [.blob(SecureRandom.bytes(32))]) }),
        // Issue 29 (C8): consent per channel and purpose, the latest word on the contact, every word in the history.
        Migration(8, """
            ALTER TABLE contacts ADD COLUMN consents BLOB;
            CREATE TABLE consent_history (id INTEGER PRIMARY KEY, contact_id INTEGER NOT NULL, consent BLOB NOT NULL);
            CREATE INDEX consent_history_contact ON consent_history (contact_id, id);
            """),
    ]
}
