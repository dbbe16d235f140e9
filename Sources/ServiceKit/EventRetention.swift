import FoundationEssentials
import Glibc
import Storage

/// Keeps the outbox and the inbox from growing forever. An outbox event is deleted once
/// every configured subscriber has acknowledged it and it is older than the outbox
/// retention (a subscriber added later starts from what is left). Inbox records are
/// kept for the inbox retention: a redelivery older than that would apply again, so it
/// is set far beyond any relay's backoff.
public struct EventRetention: Sendable {
    public var outbox: Duration
    public var inbox: Duration

    public init(outbox: Duration = .seconds(7 * 24 * 3600), inbox: Duration = .seconds(30 * 24 * 3600)) {
        self.outbox = outbox
        self.inbox = inbox
    }

    /// One pass: returns the events and inbox records removed.
    @discardableResult
    public func prune(_ database: Database, subscribers: [String], now: Date = Date()) async throws -> (outbox: Int, inbox: Int) {
        var acknowledged = Int64.max
        for subscriber in subscribers {
            acknowledged = min(acknowledged, try await database.deliveredThrough(subscriber: subscriber))
        }
        let outboxRemoved = try await database.pruneOutbox(through: acknowledged, committedBefore: now.addingTimeInterval(-Self.seconds(outbox)))
        let inboxRemoved = try await database.pruneInbox(receivedBefore: now.addingTimeInterval(-Self.seconds(inbox)))
        return (outboxRemoved, inboxRemoved)
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
