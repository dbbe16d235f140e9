import Contracts

/// T10's priority as an explainable score: a weighted sum of named components.
/// - `callback`: an agreed callback that is due (an entry is ready only once it is), the
///   highest weight, so it outranks everything;
/// - `age`: `agePerHour` for each hour since the lead came;
/// - `region`, `product`: the admin's per-value tables;
/// - `attempts`, `rounds`: per attempt made in this round and per round done.
///
/// Only `age` moves with time, and it moves every entry at the same rate, so the order
/// never changes by itself: ``key(_:_:)`` is a number that does not depend on the time and
/// orders the queue as the score does at any moment. An index on it finds the best entry
/// without rescanning; only a settings change recomputes the keys.
public enum DialScore {
    public static func components(_ entry: QueueEntry, _ s: DialerSettings, now: Int64) -> [ScoreComponent] {
        [
            ScoreComponent(name: "callback", value: entry.callbackAtMilliseconds.map { $0 <= now ? s.callbackWeight : 0 } ?? 0),
            ScoreComponent(name: "age", value: s.agePerHour * max(0, now - entry.createdAtMilliseconds) / 3_600_000),
            ScoreComponent(name: "region", value: s.regions.first { $0.name == entry.region }?.score ?? 0),
            ScoreComponent(name: "product", value: s.products.first { $0.name == entry.product }?.score ?? 0),
            ScoreComponent(name: "attempts", value: s.attemptWeight * entry.attempts),
            ScoreComponent(name: "rounds", value: s.roundWeight * entry.rounds),
        ]
    }

    public static func score(_ entry: QueueEntry, _ s: DialerSettings, now: Int64) -> Int64 {
        components(entry, s, now: now).reduce(0) { $0 + $1.value }
    }

    /// The time-free ordering key, in thousandths of a point: `score(now) * 1000` is
    /// `key + agePerHour * now / 3600` for every ready entry.
    public static func key(_ entry: QueueEntry, _ s: DialerSettings) -> Int64 {
        let fixed = (entry.callbackAtMilliseconds != nil ? s.callbackWeight : 0)
            + (s.regions.first { $0.name == entry.region }?.score ?? 0)
            + (s.products.first { $0.name == entry.product }?.score ?? 0)
            + s.attemptWeight * entry.attempts + s.roundWeight * entry.rounds
        return fixed * 1000 - s.agePerHour * entry.createdAtMilliseconds / 3600
    }

    /// Settings a new deployment starts with (seed 004's: three tries, a recall after 30 minutes).
    public static let defaults = DialerSettings(
        callbackWeight: 1_000_000, agePerHour: 10, attemptWeight: -5, roundWeight: -50, attemptsPerRound: 3, recallMinutes: 30, maxRounds: 5,
        minGapSeconds: 300, callingHourFrom: 9, callingHourTo: 21, leaseSeconds: 120, version: 1)
}
