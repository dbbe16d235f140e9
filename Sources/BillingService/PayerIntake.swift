import Contracts
import FoundationEssentials
import Glibc
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

    /// Payments taken per round, and how many of their match-or-creates are in flight at once.
    static let batch = 500
    static let inFlight = 64

    private func run() async {
        var backoff = ConnectionBackoff(initial: .milliseconds(200), maximum: .seconds(30))
        while !Task.isCancelled {
            let pending: [(Int64, Payment)]
            do {
                pending = try await database.read { c in
                    try c.query("SELECT id, payment FROM payments WHERE payer_state = 'pending' ORDER BY id LIMIT ?", [.integer(Int64(Self.batch))]) {
                        ($0.int64(0), try Payment(wireBytes: $0.blob(1)))
                    }
                }
            } catch {
                logger.error("cannot read payments waiting for their payer", ["error": "\(error)"])
                await loop.wait(upTo: .seconds(1))
                continue
            }
            do {
                let settled = try await resolve(pending)
                if settled < pending.count {
                    await loop.wait(upTo: backoff.next())
                    continue
                }
                backoff.reset()
            } catch {
                logger.error("cannot record payments' payers", ["error": "\(error)"])
                await loop.wait(upTo: backoff.next())
                continue
            }
            if pending.count < Self.batch { await loop.wait(upTo: .seconds(5)) }
        }
    }

    /// What contacts answered for one payment: its payer, or why it has none.
    enum Answer: Sendable {
        case payer(Int64)
        case refused(String)
    }

    /// The payers of `pending` (in id order): contacts is asked for all of them at once (up
    /// to ``inFlight`` in flight), then the answers are recorded in one transaction, in id
    /// order, up to the first payment contacts could not be asked about (it and those after
    /// it wait, so a payer's first payment is still their first). Returns how many settled.
    @discardableResult
    func resolve(_ pending: [(Int64, Payment)]) async throws -> Int {
        var answers = [Answer?](repeating: nil, count: pending.count)
        await withTaskGroup(of: (Int, Answer?).self) { group in
            var next = 0
            func add() {
                let index = next
                next += 1
                group.addTask { [self] in (index, try? await ask(pending[index].0, pending[index].1)) }
            }
            while next < min(pending.count, Self.inFlight) { add() }
            for await (index, answer) in group {
                answers[index] = answer
                if next < pending.count { add() }
            }
        }
        let settled = answers.firstIndex { $0 == nil } ?? answers.count
        if settled < pending.count {
            logger.warn("payer not found yet; the payment waits for contacts", ["payment": "\(pending[settled].0)", "waiting": "\(pending.count - settled)"])
        }
        let decided = zip(pending.prefix(settled).map(\.0), answers.prefix(settled).compactMap { $0 }).map { ($0, $1) }
        guard !decided.isEmpty else { return 0 }
        try await database.write { tx in
            for (id, answer) in decided { try Self.record(tx, id, answer) }
        }
        return settled
    }

    /// One payment's answer from contacts; throws when contacts could not be asked.
    func ask(_ id: Int64, _ payment: Payment) async throws -> Answer {
        var draft = ContactDraft()
        let names = payment.payerName.split(separator: " ", maxSplits: 1).map(String.init)
        draft.firstName = names.first ?? ""
        draft.lastName = names.count > 1 ? names[1] : ""
        if !payment.email.isEmpty { draft.emails = [payment.email] }
        if !payment.phone.isEmpty { draft.phones = [payment.phone] }
        draft.source = ContactSource(channel: payment.provider.name, utmCampaign: payment.campaign)
        var metadata = Metadata()
        metadata[Metadata.Key.requestID] = "payment-\(id)"
        do {
            return .payer(try await contacts.call(Contacts.matchOrCreate, MatchOrCreateRequest(draft: draft), options: CallOptions(timeout: callTimeout, metadata: metadata)).contact.id)
        } catch {
            guard error.code == .invalidArgument else { throw error }
            return .refused(error.details.isEmpty ? error.message : error.details.map { "\($0.field) \($0.description)" }.joined(separator: "; "))
        }
    }

    /// Records one payment's payer (or why it has none) and announces it, once.
    static func record(_ tx: Transaction, _ id: Int64, _ answer: Answer) throws {
        guard try tx.queryFirst("SELECT 1 FROM payments WHERE id = ? AND payer_state = 'pending'", [.integer(id)], { $0.int(0) }) != nil,
            var p = try tx.queryFirst("SELECT payment FROM payments WHERE id = ?", [.integer(id)], { try Payment(wireBytes: $0.blob(0)) })
        else { return }
        switch answer {
        case let .payer(found):
            p.payerContactID = found
            try tx.run("UPDATE payments SET payer_state = 'found', payer_contact_id = ?, student_id = COALESCE(student_id, ?), payment = ? WHERE id = ?",
                [.integer(found), .integer(found), .blob(p.wireBytes()), .integer(id)])
        case let .refused(note):
            p.history.append(PaymentChange(atMilliseconds: p.updatedAtMilliseconds, status: p.status, amountMinor: 0, applied: false, note: "no payer: contacts refused the details (\(note))"))
            try tx.run("UPDATE payments SET payer_state = 'none', payment = ? WHERE id = ?", [.blob(p.wireBytes()), .integer(id)])
        }
        _ = try PaymentStore.announce(tx, id)
    }
}
