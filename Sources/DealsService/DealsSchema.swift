import FoundationEssentials
import Glibc
import Contracts
import ServiceKit
import Storage
import Wire

/// The deals service's tables. A new database starts with one default pipeline, so a
/// lead can open a deal before anyone configures anything.
public enum DealsSchema {
    public static let migrations = [
        Migration(1, """
            CREATE TABLE pipelines (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE COLLATE NOCASE,
                channels TEXT NOT NULL DEFAULT '',
                is_default INTEGER NOT NULL DEFAULT 0,
                created_at INTEGER NOT NULL
            );
            CREATE TABLE stages (
                id INTEGER PRIMARY KEY,
                pipeline_id INTEGER NOT NULL REFERENCES pipelines (id),
                name TEXT NOT NULL,
                position INTEGER NOT NULL,
                sla_minutes INTEGER NOT NULL DEFAULT 0,
                outcome INTEGER NOT NULL,
                UNIQUE (pipeline_id, position)
            );
            CREATE TABLE deals (
                id INTEGER PRIMARY KEY,
                title TEXT NOT NULL,
                contact_id INTEGER NOT NULL,
                pipeline_id INTEGER NOT NULL REFERENCES pipelines (id),
                stage_id INTEGER NOT NULL REFERENCES stages (id),
                status INTEGER NOT NULL,
                amount_minor INTEGER NOT NULL DEFAULT 0,
                currency TEXT NOT NULL DEFAULT '',
                responsible_id INTEGER,
                source TEXT NOT NULL DEFAULT '',
                custom_fields BLOB NOT NULL,
                scheduled_at INTEGER,
                loss_reason TEXT NOT NULL DEFAULT '',
                created_at INTEGER NOT NULL,
                closed_at INTEGER,
                stage_entered_at INTEGER NOT NULL,
                lead_id INTEGER
            );
            CREATE INDEX deals_contact ON deals (contact_id, status);
            CREATE INDEX deals_responsible ON deals (responsible_id, status);
            CREATE INDEX deals_stage ON deals (pipeline_id, stage_id);
            CREATE TABLE tasks (
                id INTEGER PRIMARY KEY,
                kind INTEGER NOT NULL,
                title TEXT NOT NULL DEFAULT '',
                deal_id INTEGER REFERENCES deals (id),
                contact_id INTEGER,
                assignee_id INTEGER,
                due_at INTEGER,
                status INTEGER NOT NULL,
                created_at INTEGER NOT NULL,
                completed_at INTEGER
            );
            -- D4: the rule "one open task of a kind per deal" is the database's to keep.
            CREATE UNIQUE INDEX tasks_one_open_kind ON tasks (deal_id, kind) WHERE status = 1 AND deal_id IS NOT NULL;
            CREATE INDEX tasks_assignee ON tasks (assignee_id, status, due_at);
            CREATE INDEX tasks_deal ON tasks (deal_id, status);
            CREATE INDEX tasks_contact ON tasks (contact_id, status);
            CREATE TABLE timeline (
                id INTEGER PRIMARY KEY,
                at INTEGER NOT NULL,
                kind TEXT NOT NULL,
                deal_id INTEGER,
                contact_id INTEGER NOT NULL,
                summary TEXT NOT NULL,
                actor_id INTEGER
            );
            CREATE INDEX timeline_deal ON timeline (deal_id, at);
            CREATE INDEX timeline_contact ON timeline (contact_id, at);
            CREATE TABLE leads (
                id INTEGER PRIMARY KEY,
                channel TEXT NOT NULL,
                partner TEXT NOT NULL,
                external_id TEXT NOT NULL,
                lead BLOB NOT NULL,
                status INTEGER NOT NULL,
                low_quality INTEGER NOT NULL DEFAULT 0,
                reason TEXT NOT NULL DEFAULT '',
                contact_id INTEGER,
                deal_id INTEGER,
                attached INTEGER NOT NULL DEFAULT 0,
                received_at INTEGER NOT NULL,
                processed_at INTEGER
            );
            CREATE UNIQUE INDEX leads_external ON leads (partner, external_id) WHERE external_id != '';
            CREATE INDEX leads_pending ON leads (status) WHERE status = 1;
            INSERT INTO pipelines (id, name, channels, is_default, created_at) VALUES (1, 'Sales', '', 1, 0);
            INSERT INTO stages (pipeline_id, name, position, sla_minutes, outcome) VALUES
                (1, 'New', 1, 0, 1), (1, 'Qualified', 2, 0, 1), (1, 'Proposal', 3, 0, 1), (1, 'Won', 4, 0, 2), (1, 'Lost', 5, 0, 3);
            """),
        // G3: who sent a lead with a staff token, so they can read it back.
        Migration(2, "ALTER TABLE leads ADD COLUMN submitted_by INTEGER"),
        Migration(3, """
            CREATE TABLE calls (
                session_id TEXT PRIMARY KEY,
                client_number TEXT NOT NULL,
                session BLOB NOT NULL,
                lead_id INTEGER,
                deal_id INTEGER,
                entry_id INTEGER,
                missed_pending INTEGER NOT NULL DEFAULT 0,
                answered_pending INTEGER NOT NULL DEFAULT 0,
                received_at INTEGER NOT NULL
            );
            CREATE INDEX calls_number ON calls (client_number);
            CREATE INDEX calls_lead ON calls (lead_id);
            CREATE INDEX calls_pending ON calls (missed_pending, answered_pending);
            -- D4 as T5 needs it: one open task of a kind per deal and assignee.
            DROP INDEX tasks_one_open_kind;
            CREATE UNIQUE INDEX tasks_one_open_kind_per_assignee ON tasks (deal_id, kind, COALESCE(assignee_id, 0))
                WHERE status = 1 AND deal_id IS NOT NULL;
            """),
        // D7: the lead report's figures (LeadReportStore).
        Migration(4, """
            CREATE TABLE report_calendar (id INTEGER PRIMARY KEY CHECK (id = 1), offset_minutes INTEGER NOT NULL);
            CREATE TABLE report_lead_facts (
                lead_id INTEGER PRIMARY KEY,
                deal_id INTEGER,
                received_at INTEGER NOT NULL,
                day INTEGER NOT NULL DEFAULT 0,
                partner TEXT NOT NULL DEFAULT '',
                source TEXT NOT NULL DEFAULT '',
                region TEXT NOT NULL DEFAULT '',
                product TEXT NOT NULL DEFAULT '',
                operator_id INTEGER,
                low_quality INTEGER NOT NULL DEFAULT 0,
                first_attempt_seconds INTEGER,
                offered INTEGER NOT NULL DEFAULT 0,
                won INTEGER NOT NULL DEFAULT 0
            );
            CREATE INDEX report_lead_facts_deal ON report_lead_facts (deal_id) WHERE deal_id IS NOT NULL;
            CREATE TABLE report_counts (
                dimension INTEGER NOT NULL, day INTEGER NOT NULL, value TEXT NOT NULL,
                leads INTEGER NOT NULL, low_quality INTEGER NOT NULL, attempted INTEGER NOT NULL, offers INTEGER NOT NULL, won INTEGER NOT NULL,
                PRIMARY KEY (dimension, day, value)
            ) WITHOUT ROWID;
            CREATE TABLE report_delays (
                dimension INTEGER NOT NULL, day INTEGER NOT NULL, value TEXT NOT NULL, bucket INTEGER NOT NULL, leads INTEGER NOT NULL,
                PRIMARY KEY (dimension, day, value, bucket)
            ) WITHOUT ROWID;
            CREATE TABLE report_operators (
                day INTEGER NOT NULL, operator_id INTEGER NOT NULL,
                claims INTEGER NOT NULL DEFAULT 0, talk_seconds INTEGER NOT NULL DEFAULT 0, no_answer INTEGER NOT NULL DEFAULT 0,
                busy INTEGER NOT NULL DEFAULT 0, callbacks INTEGER NOT NULL DEFAULT 0, offers_made INTEGER NOT NULL DEFAULT 0,
                refused INTEGER NOT NULL DEFAULT 0, invalid INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (day, operator_id)
            ) WITHOUT ROWID;
            CREATE TABLE report_operator_hours (operator_id INTEGER NOT NULL, hour INTEGER NOT NULL, PRIMARY KEY (hour, operator_id)) WITHOUT ROWID;
            CREATE TABLE report_calls (session_id TEXT PRIMARY KEY, operator_id INTEGER NOT NULL, day INTEGER NOT NULL, talk_seconds INTEGER NOT NULL);
            """),
        // D7: a group's day of first-attempt times as one histogram (a month's report reads
        // thousands of these, not a row per bucket).
        Migration(5, """
            DROP TABLE report_delays;
            CREATE TABLE report_histograms (
                dimension INTEGER NOT NULL, day INTEGER NOT NULL, value TEXT NOT NULL, buckets BLOB NOT NULL,
                PRIMARY KEY (dimension, day, value)
            ) WITHOUT ROWID;
            """),
        // B3: the donation deal each paid donation opened (one per payment).
        Migration(6, """
            CREATE TABLE payment_deals (payment_id INTEGER PRIMARY KEY, deal_id INTEGER NOT NULL);
            """),
        // Issue 23: deals follow the storage rule: each deal whole in `body`, columns only
        // for what queries filter on (DealStore.table).
        Migration(
            7, "ALTER TABLE deals ADD COLUMN body BLOB NOT NULL DEFAULT x''", rewrite: keepDealsWhole,
            finish: ["title", "amount_minor", "currency", "source", "custom_fields", "loss_reason", "created_at", "closed_at", "stage_entered_at", "lead_id"]
                .map { "ALTER TABLE deals DROP COLUMN \($0);" }.joined(separator: "\n")),
        // D3, D5 (issue 25): each messenger message filed once, by channel and provider id.
        Migration(8, """
            CREATE TABLE filed_messages (
                channel INTEGER NOT NULL, provider_id TEXT NOT NULL, contact_id INTEGER NOT NULL, deal_id INTEGER NOT NULL, lead_id INTEGER,
                PRIMARY KEY (channel, provider_id)
            ) WITHOUT ROWID;
            """),
        // Issue 25: notes with their history; pipelines' reply time; when a deal's person
        // last wrote and was last answered (reply tasks); who made a task.
        Migration(9, """
            CREATE TABLE notes (
                id INTEGER PRIMARY KEY, timeline_id INTEGER NOT NULL, deal_id INTEGER, contact_id INTEGER NOT NULL, author_id INTEGER,
                created_at INTEGER NOT NULL, body BLOB NOT NULL
            );
            ALTER TABLE pipelines ADD COLUMN reply_within_minutes INTEGER;
            CREATE TABLE reply_watch (deal_id INTEGER PRIMARY KEY, last_inbound_at INTEGER NOT NULL, last_answer_at INTEGER NOT NULL DEFAULT 0);
            ALTER TABLE tasks ADD COLUMN created_by INTEGER;
            """),
        // Issue 25: a reply task is the conversation's assignee's.
        Migration(10, """
            ALTER TABLE reply_watch ADD COLUMN assignee_id INTEGER;
            """),
        // Issue 26: pipelines change and stages retire, with history.
        Migration(11, SetupLog.migration + """
            ALTER TABLE stages ADD COLUMN retired_at INTEGER;
            """),
        // Issue 26: tasks repeat and are rescheduled, with history.
        Migration(12, """
            ALTER TABLE tasks ADD COLUMN repeat_every_days INTEGER;
            ALTER TABLE tasks ADD COLUMN series_id INTEGER;
            CREATE TABLE task_reschedules (
                task_id INTEGER NOT NULL, seq INTEGER NOT NULL, from_at INTEGER, to_at INTEGER NOT NULL, at INTEGER NOT NULL, by INTEGER,
                reason TEXT NOT NULL, PRIMARY KEY (task_id, seq)
            ) WITHOUT ROWID;
            """),
        // Issue 26 item 3: attribution. Each lead's utm and tracking number, whether it opened
        // its deal and what that deal brought; the counters gain deals opened and won, revenue
        // per currency, and calls by their own utm and tracking number; ad spend per campaign.
        // Leads counted before keep these empty (they count under "").
        Migration(13, """
            ALTER TABLE report_lead_facts ADD COLUMN utm_source TEXT NOT NULL DEFAULT '';
            ALTER TABLE report_lead_facts ADD COLUMN utm_medium TEXT NOT NULL DEFAULT '';
            ALTER TABLE report_lead_facts ADD COLUMN utm_campaign TEXT NOT NULL DEFAULT '';
            ALTER TABLE report_lead_facts ADD COLUMN tracking_number TEXT NOT NULL DEFAULT '';
            ALTER TABLE report_lead_facts ADD COLUMN opened INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE report_lead_facts ADD COLUMN revenue_minor INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE report_lead_facts ADD COLUMN currency TEXT NOT NULL DEFAULT '';
            ALTER TABLE report_counts ADD COLUMN opened INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE report_counts ADD COLUMN deals_won INTEGER NOT NULL DEFAULT 0;
            CREATE TABLE report_revenue (
                dimension INTEGER NOT NULL, day INTEGER NOT NULL, value TEXT NOT NULL, currency TEXT NOT NULL, revenue_minor INTEGER NOT NULL,
                PRIMARY KEY (dimension, day, value, currency)
            ) WITHOUT ROWID;
            CREATE TABLE report_payments (payment_id INTEGER PRIMARY KEY, deal_id INTEGER NOT NULL, currency TEXT NOT NULL, net_minor INTEGER NOT NULL);
            CREATE INDEX report_payments_deal ON report_payments (deal_id);
            CREATE TABLE report_call_sessions (
                session_id TEXT PRIMARY KEY, day INTEGER NOT NULL, missed INTEGER NOT NULL,
                utm_source TEXT NOT NULL, utm_medium TEXT NOT NULL, utm_campaign TEXT NOT NULL, tracking_number TEXT NOT NULL
            ) WITHOUT ROWID;
            CREATE TABLE report_call_counts (
                dimension INTEGER NOT NULL, day INTEGER NOT NULL, value TEXT NOT NULL, calls INTEGER NOT NULL, missed INTEGER NOT NULL,
                PRIMARY KEY (dimension, day, value)
            ) WITHOUT ROWID;
            CREATE TABLE ad_spend (
                campaign TEXT NOT NULL, month TEXT NOT NULL, currency TEXT NOT NULL, amount_minor INTEGER NOT NULL, updated_at INTEGER NOT NULL, by INTEGER,
                PRIMARY KEY (campaign, month, currency)
            ) WITHOUT ROWID;
            """),
        // Issue 26 item 4: deals closed in a period, by responsible (the manager report).
        Migration(
            14, "ALTER TABLE deals ADD COLUMN closed_at INTEGER;",
            rewrite: { c in
                for (id, body) in try c.query("SELECT id, body FROM deals WHERE status != 1", []) { ($0.int64(0), $0.blob(1)) } {
                    try c.run("UPDATE deals SET closed_at = ? WHERE id = ?", [SQLValue(try Deal(wireBytes: body).closedAtMilliseconds), .integer(id)])
                }
            },
            finish: "CREATE INDEX deals_closed ON deals (closed_at, responsible_id) WHERE closed_at IS NOT NULL;"),
        // Issue 26 item 2: declared deal fields; each deal's values by name (list filters). The
        // names deals hold already are declared as text.
        Migration(
            15, """
            \(CustomFieldRegistry.migration)
            CREATE TABLE deal_fields (deal_id INTEGER NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (deal_id, name)) WITHOUT ROWID;
            CREATE INDEX deal_fields_value ON deal_fields (name, value);
            """,
            rewrite: { c in
                var names = Set<String>()
                for (id, body) in try c.query("SELECT id, body FROM deals", []) { ($0.int64(0), $0.blob(1)) } {
                    for field in try Deal(wireBytes: body).customFields where !field.value.isEmpty {
                        names.insert(field.name)
                        try c.run("INSERT OR REPLACE INTO deal_fields (deal_id, name, value) VALUES (?, ?, ?)", [.integer(id), .text(field.name), .text(field.value)])
                    }
                }
                try CustomFieldRegistry.declareAsText(c, names)
            }),
        // Issue 28 (G7): what imports made, by source and external id.
        Migration(16, ImportLedger.migration),
        // Issue 29: the calls whose effects are due, apart (CallEffects read them by scanning
        // every call: the chaos run found deals at full CPU doing it 117,000 calls in).
        Migration(17, """
            CREATE INDEX calls_effects_due ON calls (deal_id) WHERE (missed_pending = 1 OR answered_pending = 1) AND deal_id IS NOT NULL;
            """),
    ]

    /// Migration 7's rewrite: each deal read from the columns it had until then, kept as its
    /// wire bytes (in pages, so a large table never sits in memory at once).
    @Sendable static func keepDealsWhole(_ c: Connection) throws {
        var after: Int64 = 0
        while true {
            let page = try c.query(
                """
                SELECT id, title, contact_id, pipeline_id, stage_id, status, amount_minor, currency, responsible_id, source, custom_fields,
                    scheduled_at, loss_reason, created_at, closed_at, stage_entered_at, lead_id
                FROM deals WHERE id > ? ORDER BY id LIMIT 1000
                """, [.integer(after)]
            ) { row -> (Int64, [UInt8]) in
                let fields = try ColumnCustomFields(wireBytes: row.blob("custom_fields"))
                let deal = Deal(
                    title: row.string("title"), contactID: row.int64("contact_id"), pipelineID: row.int64("pipeline_id"),
                    stageID: row.int64("stage_id"), status: DealStatus(rawValue: row.int("status")) ?? .unspecified, amountMinor: row.int64("amount_minor"),
                    currency: row.string("currency"), responsibleID: row.optionalInt64("responsible_id"), source: row.string("source"),
                    customFields: fields.fields, scheduledAtMilliseconds: row.optionalInt64("scheduled_at"), lossReason: row.string("loss_reason"),
                    createdAtMilliseconds: row.int64("created_at"), closedAtMilliseconds: row.optionalInt64("closed_at"),
                    stageEnteredAtMilliseconds: row.int64("stage_entered_at"), leadID: row.optionalInt64("lead_id"))
                return (row.int64("id"), deal.wireBytes())
            }
            guard let last = page.last else { return }
            for (id, body) in page { try c.run("UPDATE deals SET body = ? WHERE id = ?", [.blob(body), .integer(id)]) }
            after = last.0
        }
    }
}

/// Custom fields as deals kept them in a column of their own until migration 7.
struct ColumnCustomFields: WireMessage {
    var fields: [CustomField] = []
    init() {}
    func encode(to e: inout WireEncoder) { e.encode(1, fields) }
    mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        if key.number == 1 { try d.append(key, to: &fields) } else { try d.skip(key) }
    }
}
