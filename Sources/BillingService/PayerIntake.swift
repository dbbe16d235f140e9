import Contracts
import Foundation
import RPC
import ServiceKit
import Storage
import Wire

/// B3: finds each payment's payer through contacts' match-or-create (email, then phone:
/// contacts' own order) after the payment is stored, so a provider's report is answered
/// without waiting on contacts, and contacts being down loses nothing: the payment waits
/// (`payer_state` pending) and is retried with backoff. Match-or-create is idempotent, and
/// the payer is set in the transaction that emits the payment's events, so a payment gets
/// one payer and its events once.
public final class PayerIntake: BackgroundService {
    private let database: Database
    private let contacts: RPCClient
    private let logger: Logger
    private let loop = BackgroundLoop()
    private let callTimeout: Duration

    public init(database: Database, contacts: RPCClient, logger: Logger, callTimeout: Duration = .seconds(5)) {
        self.database = database
        self.contacts = contacts
        self.logger = logger
        self.callTimeout = callTimeout
        database.onCommit { [loop] commit in if commit.topics.contains(Self.pendingTopic) { loop.wake() } }
    }

    /// What a commit that stores a payment without its payer touches.
    static let pendingTopic = "payments.payer_pending"

    public func start() {
        loop.start { [self] in await run() }
    }

    public func stop() async {
        await loop.stop()
    }

    private func run() async {
        var backoff = ConnectionBackoff(initial: .milliseconds(200), maximum: .seconds(30))
        while !Task.isCancelled {
            let pending: [(Int64, Payment)]
            do {
                pending = try await database.read { c in
                    try c.query("SELECT id, payment FROM payments WHERE payer_state = 'pending' ORDER BY id LIMIT 100", []) { ($0.int64(0), try Payment(wireBytes: $0.blob(1))) }
                }
            } catch {
                logger.error("cannot read payments waiting for their payer", ["error": "\(error)"])
                await loop.wait(upTo: .seconds(1))
                continue
            }
            var waiting = false
            for (id, payment) in pending where !Task.isCancelled {
                do {
                    try await resolve(id, payment)
                    backoff.reset()
                } catch {
                    logger.warn("payer not found yet; the payment waits for contacts", ["payment": "\(id)", "error": "\(error)"])
                    waiting = true
                    break
                }
            }
            if waiting {
                await loop.wait(upTo: backoff.next())
            } else if pending.count < 100 {
                await loop.wait(upTo: .seconds(5))
            }
        }
    }

    /// One payment's payer; throws when contacts could not be asked (it stays pending).
    func resolve(_ id: Int64, _ payment: Payment) async throws {
        var draft = ContactDraft()
        let names = payment.payerName.split(separator: " ", maxSplits: 1).map(String.init)
        draft.firstName = names.first ?? ""
        draft.lastName = names.count > 1 ? names[1] : ""
        if !payment.email.isEmpty { draft.emails = [payment.email] }
        if !payment.phone.isEmpty { draft.phones = [payment.phone] }
        draft.source = ContactSource(channel: payment.provider.name, utmCampaign: payment.campaign)
        var metadata = Metadata()
        metadata[Metadata.Key.requestID] = "payment-\(id)"
        var found: Int64?
        var refusal = ""
        do {
            found = try await contacts.call(Contacts.matchOrCreate, MatchOrCreateRequest(draft: draft), options: CallOptions(timeout: callTimeout, metadata: metadata)).contact.id
        } catch {
            guard error.code == .invalidArgument else { throw error }
            refusal = error.details.isEmpty ? error.message : error.details.map { "\($0.field) \($0.description)" }.joined(separator: "; ")
        }
        let (note, payer) = (refusal, found)
        try await database.write { tx in
            guard try tx.queryFirst("SELECT 1 FROM payments WHERE id = ? AND payer_state = 'pending'", [.integer(id)], { $0.int(0) }) != nil,
                var p = try tx.queryFirst("SELECT payment FROM payments WHERE id = ?", [.integer(id)], { try Payment(wireBytes: $0.blob(0)) })
            else { return }
            if let found = payer {
                p.payerContactID = found
                try tx.run("UPDATE payments SET payer_state = 'found', payer_contact_id = ?, student_id = COALESCE(student_id, ?), payment = ? WHERE id = ?",
                    [.integer(found), .integer(found), .blob(p.wireBytes()), .integer(id)])
            } else {
                p.history.append(PaymentChange(atMilliseconds: p.updatedAtMilliseconds, status: p.status, amountMinor: 0, applied: false, note: "no payer: contacts refused the details (\(note))"))
                try tx.run("UPDATE payments SET payer_state = 'none', payment = ? WHERE id = ?", [.blob(p.wireBytes()), .integer(id)])
            }
            _ = try PaymentStore.announce(tx, id)
        }
    }
}
