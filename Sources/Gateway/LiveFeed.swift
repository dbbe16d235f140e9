import Contracts
import Foundation
import Synchronization

/// G6 (issue 27 item 4): what the gateway's live streams send. The last `capacity` events
/// stay, numbered, so a browser that lost its stream resumes with `Last-Event-ID`; each
/// listener gets the events its person may see (G3), through a bounded buffer (a reader
/// that falls behind loses the oldest and is told to reload). A call-back is held until it
/// is due. One person has at most `perPerson` streams open at once.
final class LiveFeed: Sendable {
    struct Listener: Sendable {
        let person: String
        var visibility: Visibility?
        let continuation: AsyncStream<LiveEvent>.Continuation
    }

    /// What a new listener gets: its stream, the events it missed, and whether it missed
    /// more than the feed still holds (it should reload what it shows).
    struct Opened: Sendable {
        let id: Int
        let events: AsyncStream<LiveEvent>
        let missed: [LiveEvent]
        let reset: Bool
    }

    private struct State {
        /// When a stream was last open (nil: never): the feed follows the services only
        /// while someone listens, and a while after, for those coming back.
        var lastListened: ContinuousClock.Instant? = nil
        /// When listening began after a quiet spell: what happened before is old news.
        var awakeSince: Int64 = 0
        var buffer: [LiveEvent] = []
        var nextID: Int64 = 1
        var listeners: [Int: Listener] = [:]
        var nextListener = 0
        var pending: [LiveEvent] = []
    }

    /// Event ids are `<epoch>-<n>`: ids from before a restart of the gateway are told apart.
    let epoch: String
    let capacity: Int
    let perPerson: Int
    let queued: Int
    private let state = Mutex(State())

    init(capacity: Int = 10_000, perPerson: Int = 5, queued: Int = 256, epoch: String = String(Int64(Date().timeIntervalSince1970 * 1000))) {
        self.capacity = capacity
        self.perPerson = perPerson
        self.queued = queued
        self.epoch = epoch
    }

    func eventID(_ event: LiveEvent) -> String { "\(epoch)-\(event.id)" }

    /// Sends events now, or holds call-backs until they are due (at most `capacity` held).
    func publish(_ events: [LiveEvent], nowMilliseconds: Int64) {
        state.withLock { s in
            for event in events {
                if let due = event.dueAtMilliseconds, due > nowMilliseconds {
                    if s.pending.count < capacity { s.pending.append(event) }
                } else {
                    Self.send(event, &s, capacity: capacity)
                }
            }
        }
    }

    /// Sends the call-backs that are due by now.
    func releaseDue(nowMilliseconds: Int64) {
        state.withLock { s in
            let due = s.pending.filter { ($0.dueAtMilliseconds ?? 0) <= nowMilliseconds }.sorted { ($0.dueAtMilliseconds ?? 0) < ($1.dueAtMilliseconds ?? 0) }
            guard !due.isEmpty else { return }
            s.pending.removeAll { ($0.dueAtMilliseconds ?? 0) <= nowMilliseconds }
            for event in due { Self.send(event, &s, capacity: capacity) }
        }
    }

    private static func send(_ event: LiveEvent, _ s: inout State, capacity: Int) {
        var numbered = event
        numbered.id = s.nextID
        s.nextID += 1
        s.buffer.append(numbered)
        if s.buffer.count > capacity { s.buffer.removeFirst(s.buffer.count - capacity) }
        for listener in s.listeners.values where numbered.visible(to: listener.visibility) {
            listener.continuation.yield(numbered)
        }
    }

    /// A new listener for `person` who sees `visibility`, resuming after `lastEventID`;
    /// nil when the person has `perPerson` streams open already.
    func listen(person: String, visibility: Visibility?, after lastEventID: String?) -> Opened? {
        let (events, continuation) = AsyncStream<LiveEvent>.makeStream(bufferingPolicy: .bufferingNewest(queued))
        return state.withLock { s -> Opened? in
            guard s.listeners.values.filter({ $0.person == person }).count < perPerson else { return nil }
            let id = s.nextListener
            s.nextListener += 1
            if s.listeners.isEmpty && (s.lastListened.map { ContinuousClock.now - $0 >= Self.grace } ?? true) {
                s.awakeSince = Int64(Date().timeIntervalSince1970 * 1000)
            }
            s.lastListened = .now
            s.listeners[id] = Listener(person: person, visibility: visibility, continuation: continuation)
            var missed: [LiveEvent] = []
            var reset = false
            if let lastEventID {
                let parts = lastEventID.split(separator: "-")
                if parts.count == 2, parts[0] == epoch, let after = Int64(parts[1]), after < s.nextID {
                    let oldest = s.buffer.first?.id ?? s.nextID
                    reset = after + 1 < oldest
                    missed = s.buffer.filter { $0.id > after && $0.visible(to: visibility) }
                } else {
                    reset = true
                }
            }
            return Opened(id: id, events: events, missed: missed, reset: reset)
        }
    }

    /// What a listener's person sees changed (their team, their role).
    func update(_ id: Int, visibility: Visibility?) {
        state.withLock { $0.listeners[id]?.visibility = visibility }
    }

    func leave(_ id: Int) {
        let gone = state.withLock { s in
            defer { if !s.listeners.isEmpty || s.lastListened != nil { s.lastListened = .now } }
            return s.listeners.removeValue(forKey: id)
        }
        gone?.continuation.finish()
    }

    /// How long after the last stream closed the feed still follows the services (a tab
    /// reconnecting resumes from its last event only if the feed kept following meanwhile).
    static let grace: Duration = .seconds(300)

    /// Whether anyone listens now or did within ``grace``, and since when (Unix ms) the
    /// feed has been wanted without a break: events older than that are not sent.
    func wanted() -> (Bool, since: Int64) {
        state.withLock { s in
            if !s.listeners.isEmpty {
                s.lastListened = .now
                return (true, s.awakeSince)
            }
            return (s.lastListened.map { ContinuousClock.now - $0 < Self.grace } ?? false, s.awakeSince)
        }
    }

    /// Streams open now, and call-backs held (for /metrics and tests).
    var counts: (listeners: Int, pending: Int, buffered: Int) { state.withLock { ($0.listeners.count, $0.pending.count, $0.buffer.count) } }
}
