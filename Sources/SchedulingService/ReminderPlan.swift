import Contracts

/// S5: which reminders a series should have set, as plain values. Every participant is
/// reminded `minutes` before each session from the second on (by start, cancelled ones
/// left out), only for sessions still ahead and that began after they joined; a reminder
/// whose time has passed while its session is still ahead fires at once; one already sent
/// for a session at that start is not sent again (a moved session is reminded anew).
public enum ReminderPlan {
    public struct Key: Hashable, Sendable {
        public let session: Int64
        public let contact: Int64
        public init(session: Int64, contact: Int64) {
            self.session = session
            self.contact = contact
        }
        public var timerKey: String { "s\(session)-c\(contact)" }
    }

    public struct Participant: Sendable {
        public let contact: Int64
        public let joinedAt: Int64
        public init(contact: Int64, joinedAt: Int64) {
            self.contact = contact
            self.joinedAt = joinedAt
        }
    }

    /// When each reminder is due, with the session's number in the series.
    public static func plan(
        sessions: [SeriesSession], participants: [Participant], minutes: Int64, now: Int64, sent: Set<SentReminder>
    ) -> [Key: (due: Int64, number: Int64)] {
        let ordered = sessions.filter { !$0.cancelled }.sorted { ($0.startMilliseconds, $0.id) < ($1.startMilliseconds, $1.id) }
        var out: [Key: (Int64, Int64)] = [:]
        for (index, session) in ordered.enumerated() where index >= 1 && session.startMilliseconds > now {
            for p in participants where p.joinedAt < session.startMilliseconds {
                guard !sent.contains(SentReminder(session: session.id, contact: p.contact, start: session.startMilliseconds)) else { continue }
                out[Key(session: session.id, contact: p.contact)] = (max(now, session.startMilliseconds - minutes * 60_000), Int64(index + 1))
            }
        }
        return out
    }

    public struct SentReminder: Hashable, Sendable {
        public let session: Int64
        public let contact: Int64
        public let start: Int64
        public init(session: Int64, contact: Int64, start: Int64) {
            self.session = session
            self.contact = contact
            self.start = start
        }
    }
}
