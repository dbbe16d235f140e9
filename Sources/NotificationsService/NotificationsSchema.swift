import ServiceKit
import Storage

/// The notifications service's tables. `sends` is the durable queue of messages: a row
/// per (rule, event, recipient) — the unique key that makes a redelivered event send
/// nothing twice — with its due time; `deliveries` the same for outbound webhooks, one
/// per (subscription, webhook-id).
public enum NotificationsSchema {
    public static let migrations: [Migration] = [
        Migration(1, """
            CREATE TABLE channels (channel INTEGER PRIMARY KEY, settings BLOB NOT NULL);
            CREATE TABLE templates (id INTEGER PRIMARY KEY, template BLOB NOT NULL);
            CREATE TABLE rules (id INTEGER PRIMARY KEY, event_type TEXT NOT NULL, rule BLOB NOT NULL);
            CREATE INDEX rules_event ON rules (event_type);
            CREATE TABLE sends (
                id INTEGER PRIMARY KEY,
                rule_id INTEGER NOT NULL,
                event_id TEXT NOT NULL,
                recipient_key TEXT NOT NULL,
                status INTEGER NOT NULL,
                due_at INTEGER NOT NULL,
                source_key TEXT NOT NULL,
                before_minutes INTEGER,
                contact_id INTEGER,
                event_type TEXT NOT NULL,
                payload BLOB NOT NULL,
                message BLOB NOT NULL,
                UNIQUE (rule_id, event_id, recipient_key)
            );
            CREATE INDEX sends_due ON sends (status, due_at);
            CREATE INDEX sends_source ON sends (source_key) WHERE source_key != '';
            CREATE TABLE opt_outs (contact_id INTEGER NOT NULL, channel INTEGER NOT NULL, reason TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (contact_id, channel)) WITHOUT ROWID;
            CREATE TABLE subscriptions (id INTEGER PRIMARY KEY, secret TEXT NOT NULL, subscription BLOB NOT NULL);
            CREATE TABLE deliveries (
                id INTEGER PRIMARY KEY,
                subscription_id INTEGER NOT NULL,
                message_id TEXT NOT NULL,
                status INTEGER NOT NULL,
                next_at INTEGER,
                created_at INTEGER NOT NULL,
                payload BLOB NOT NULL,
                delivery BLOB NOT NULL,
                UNIQUE (subscription_id, message_id)
            );
            CREATE INDEX deliveries_due ON deliveries (status, next_at);
            CREATE INDEX deliveries_subscription ON deliveries (subscription_id, created_at);
            """),
        // N6: NPS surveys after won deals, and the replies already taken (by update id).
        Migration(2, """
            CREATE TABLE surveys (
                id INTEGER PRIMARY KEY, deal_id INTEGER NOT NULL UNIQUE, contact_id INTEGER NOT NULL, chat_id TEXT NOT NULL,
                status INTEGER NOT NULL, due_at INTEGER NOT NULL, expires_at INTEGER, effects_done INTEGER NOT NULL, survey BLOB NOT NULL
            );
            CREATE INDEX surveys_due ON surveys (status, due_at);
            CREATE INDEX surveys_chat ON surveys (chat_id, status);
            CREATE TABLE replies (update_id TEXT PRIMARY KEY, at INTEGER NOT NULL);
            """),
        // N5: alerts, and the events their metrics count (kept a week).
        Migration(3, """
            CREATE TABLE alerts (id INTEGER PRIMARY KEY, alert BLOB NOT NULL);
            CREATE TABLE metric_events (type TEXT NOT NULL, at INTEGER NOT NULL, event_id TEXT NOT NULL, PRIMARY KEY (type, at, event_id)) WITHOUT ROWID;
            """),
        // N6: qualification bots' flows.
        Migration(4, """
            CREATE TABLE bot_flows (id INTEGER PRIMARY KEY, flow BLOB NOT NULL);
            -- A flow run with one new lead's contact: the question it is on, the answers so far.
            CREATE TABLE conversations (
                id INTEGER PRIMARY KEY, flow_id INTEGER NOT NULL, deal_id INTEGER NOT NULL UNIQUE, contact_id INTEGER NOT NULL,
                chat_id TEXT NOT NULL, status INTEGER NOT NULL, current TEXT NOT NULL, ask_pending INTEGER NOT NULL,
                answers BLOB NOT NULL, saved INTEGER NOT NULL
            );
            CREATE INDEX conversations_chat ON conversations (chat_id, status);
            """),
        // N1: providers' delivery statuses find a send by the id the provider gave it; a
        // status that comes before the send is recorded as sent waits for it.
        Migration(5, """
            ALTER TABLE sends ADD COLUMN channel INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE sends ADD COLUMN provider_message_id TEXT NOT NULL DEFAULT '';
            CREATE INDEX sends_provider_id ON sends (channel, provider_message_id) WHERE provider_message_id != '';
            CREATE TABLE early_statuses (
                channel INTEGER NOT NULL, provider_message_id TEXT NOT NULL, status_update BLOB NOT NULL, received_at INTEGER NOT NULL
            );
            CREATE INDEX early_statuses_id ON early_statuses (channel, provider_message_id);
            """),
        // N3: the key unsubscribe links are signed with, made at the first start.
        Migration(6, """
            CREATE TABLE service_keys (name TEXT PRIMARY KEY, value BLOB NOT NULL);
            """),
        // D5 (issue 25): a contact's conversation per channel and chat, its messages either way,
        // each inbound one once by the provider's id. (`conversations` is the bots'.)
        Migration(7, """
            CREATE TABLE inbox_conversations (
                id INTEGER PRIMARY KEY, contact_id INTEGER NOT NULL, channel INTEGER NOT NULL, chat_id TEXT NOT NULL,
                assignee_id INTEGER, deal_id INTEGER, unread INTEGER NOT NULL DEFAULT 0, last_message_at INTEGER NOT NULL,
                last_inbound_at INTEGER NOT NULL DEFAULT 0, preview TEXT NOT NULL DEFAULT '', closed INTEGER NOT NULL DEFAULT 0,
                title TEXT NOT NULL DEFAULT '',
                UNIQUE (channel, chat_id)
            );
            CREATE INDEX inbox_conversations_recent ON inbox_conversations (last_message_at DESC, id DESC);
            CREATE INDEX inbox_conversations_assignee ON inbox_conversations (assignee_id, last_message_at DESC, id DESC);
            CREATE INDEX inbox_conversations_unread ON inbox_conversations (last_message_at DESC, id DESC) WHERE unread > 0;
            CREATE TABLE inbox_messages (
                id INTEGER PRIMARY KEY, conversation_id INTEGER NOT NULL, channel INTEGER NOT NULL, provider_id TEXT NOT NULL, body BLOB NOT NULL
            );
            CREATE UNIQUE INDEX inbox_messages_provider ON inbox_messages (channel, provider_id) WHERE provider_id != '';
            CREATE INDEX inbox_messages_conversation ON inbox_messages (conversation_id, id DESC);
            """),
        // N6 (issue 25): Telegram deep links, each once, kept as the token's SHA-256.
        Migration(8, """
            CREATE TABLE start_links (
                digest BLOB PRIMARY KEY, contact_id INTEGER NOT NULL, deal_id INTEGER NOT NULL, created_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL, used_at INTEGER, chat_id TEXT NOT NULL DEFAULT ''
            ) WITHOUT ROWID;
            """),
        // N6 (issue 25): a bot runs over the channel its lead came by (Telegram or WhatsApp).
        Migration(9, """
            ALTER TABLE conversations ADD COLUMN channel INTEGER NOT NULL DEFAULT 2;
            """),
        // Issue 26 item 6: reports sent on a schedule; each sending's period once (its run).
        Migration(10, """
            CREATE TABLE scheduled_reports (id INTEGER PRIMARY KEY, next_at INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, report BLOB NOT NULL);
            CREATE INDEX scheduled_reports_next ON scheduled_reports (next_at) WHERE deleted = 0;
            CREATE TABLE report_runs (
                report_id INTEGER NOT NULL, period_from TEXT NOT NULL, period_to TEXT NOT NULL, due_at INTEGER NOT NULL, done INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (report_id, period_from)
            ) WITHOUT ROWID;
            """),
        // Issue 26: the channels' changes with who made them.
        Migration(11, SetupLog.migration),
        // Issue 29 (P5): a person's conversations, for the export of their data.
        Migration(12, "CREATE INDEX inbox_conversations_contact ON inbox_conversations (contact_id, last_message_at DESC, id DESC);"),
        // Issue 29 (P5): sends past the retention keep their counts and lose who and what (SendLogRetention).
        Migration(13, """
            ALTER TABLE sends ADD COLUMN redacted INTEGER NOT NULL DEFAULT 0;
            CREATE INDEX sends_unredacted ON sends (due_at) WHERE redacted = 0;
            """),
    ]
}
