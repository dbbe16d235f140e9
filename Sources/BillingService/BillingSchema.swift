import ServiceKit
import Storage

/// The billing service's tables. Amounts are INTEGER minor units everywhere; a payment is
/// unique per (provider, provider_id) — the constraint that makes "attempt" and "paid" of
/// one payment, however they race, one row.
public enum BillingSchema {
    public static let migrations: [Migration] = [
        Migration(1, """
            CREATE TABLE products (id INTEGER PRIMARY KEY, sku TEXT NOT NULL UNIQUE, product BLOB NOT NULL);
            CREATE TABLE price_lists (id INTEGER PRIMARY KEY, currency TEXT NOT NULL, active_from TEXT NOT NULL, active_to TEXT NOT NULL, list BLOB NOT NULL);
            CREATE TABLE zones (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, zone BLOB NOT NULL);
            CREATE TABLE offers (
                deal_id INTEGER PRIMARY KEY, status INTEGER NOT NULL, zone_name TEXT NOT NULL, address TEXT NOT NULL,
                total INTEGER NOT NULL, offer BLOB NOT NULL
            );
            -- B2's export: which confirmed offer has which product.
            CREATE TABLE offer_products (sku TEXT NOT NULL, deal_id INTEGER NOT NULL, PRIMARY KEY (sku, deal_id)) WITHOUT ROWID;
            CREATE TABLE payments (
                id INTEGER PRIMARY KEY,
                provider INTEGER NOT NULL,
                provider_id TEXT NOT NULL,
                status INTEGER NOT NULL,
                -- 'pending' (contacts to be asked), 'found', 'none' (nothing to match on).
                payer_state TEXT NOT NULL,
                payer_contact_id INTEGER,
                student_id INTEGER,
                group_id INTEGER,
                created_at INTEGER NOT NULL,
                paid_at INTEGER,
                -- What payment.* events have said: the last status and refunded amount.
                announced_status INTEGER NOT NULL DEFAULT 0,
                announced_refund INTEGER NOT NULL DEFAULT 0,
                payment BLOB NOT NULL,
                UNIQUE (provider, provider_id)
            );
            CREATE INDEX payments_status ON payments (status, created_at);
            CREATE INDEX payments_payer ON payments (payer_contact_id) WHERE payer_contact_id IS NOT NULL;
            CREATE INDEX payments_pending_payer ON payments (id) WHERE payer_state = 'pending';
            CREATE INDEX payments_group ON payments (group_id, student_id) WHERE group_id IS NOT NULL;
            CREATE TABLE refunds (payment_id INTEGER NOT NULL, refund_id TEXT NOT NULL, PRIMARY KEY (payment_id, refund_id)) WITHOUT ROWID;
            -- From scheduling's events: who is in which group since when, the lessons held
            -- and each student's marks; from deals': won deals and who won them.
            CREATE TABLE students (
                group_id INTEGER NOT NULL, contact_id INTEGER NOT NULL, group_name TEXT NOT NULL, status INTEGER NOT NULL,
                deal_id INTEGER, joined_at INTEGER, left_at INTEGER, PRIMARY KEY (group_id, contact_id)
            ) WITHOUT ROWID;
            CREATE TABLE lessons_held (lesson_id INTEGER PRIMARY KEY, group_id INTEGER NOT NULL, start_at INTEGER NOT NULL);
            CREATE INDEX lessons_held_group ON lessons_held (group_id, start_at);
            CREATE TABLE marks (lesson_id INTEGER NOT NULL, contact_id INTEGER NOT NULL, group_id INTEGER NOT NULL, start_at INTEGER NOT NULL, mark INTEGER NOT NULL, PRIMARY KEY (lesson_id, contact_id)) WITHOUT ROWID;
            CREATE INDEX marks_student ON marks (group_id, contact_id);
            CREATE TABLE won_deals (deal_id INTEGER PRIMARY KEY, contact_id INTEGER NOT NULL, responsible_id INTEGER, won_at INTEGER NOT NULL);
            CREATE INDEX won_deals_contact ON won_deals (contact_id);
            CREATE TABLE group_costs (group_id INTEGER PRIMARY KEY, costs BLOB NOT NULL);
            CREATE TABLE bonus_formulas (version INTEGER PRIMARY KEY, effective_from TEXT NOT NULL, formula BLOB NOT NULL);
            -- B6: the formula version a month was first computed with after it ended.
            CREATE TABLE bonus_months (month TEXT PRIMARY KEY, version INTEGER NOT NULL);
            """),
        // B3: recurring payments' subscriptions; a charge names its subscription, which is
        // how a subscription finds its payer.
        Migration(2, """
            ALTER TABLE payments ADD COLUMN subscription_id TEXT;
            CREATE INDEX payments_subscription ON payments (provider, subscription_id) WHERE subscription_id IS NOT NULL;
            CREATE TABLE subscriptions (
                id INTEGER PRIMARY KEY,
                provider INTEGER NOT NULL,
                subscription_id TEXT NOT NULL,
                status INTEGER NOT NULL,
                payer_contact_id INTEGER,
                subscription BLOB NOT NULL,
                UNIQUE (provider, subscription_id)
            );
            CREATE INDEX subscriptions_payer ON subscriptions (payer_contact_id) WHERE payer_contact_id IS NOT NULL;
            """),
        // Issue 26: products are edited and archived, with history.
        Migration(3, SetupLog.migration),
    ]
}
