import Contracts

/// T10: what an outcome does to a queue entry, as plain values.
/// - `noAnswer`, `busy`: an attempt; after `attemptsPerRound` of them the round ends and
///   the entry waits `recallMinutes` (a new round, lower by `roundWeight`); after
///   `maxRounds` rounds it is closed as unreachable. Between attempts, `minGapSeconds`.
/// - `callback`: waits until the agreed time, then ranks highest, for its operator only
///   when agreed so.
/// - `offerMade`, `refused`, `invalid`: the entry is done (deals moves the deal).
/// Whatever waits, waits at least until the number's calling hours.
public enum DialOutcomeRule {
    public struct Refusal: Error, Equatable {
        public let field: String
        public let problem: String
    }

    public static func apply(
        _ entry: QueueEntry, _ outcome: DialOutcome, callbackAt: Int64?, callbackForOperator: Int64?, settings s: DialerSettings, now: Int64
    ) throws(Refusal) -> QueueEntry {
        var e = entry
        e.lastOutcome = outcome
        e.leasedBy = nil
        e.leaseUntilMilliseconds = nil
        e.leasedAtMilliseconds = nil
        func wait(until time: Int64) {
            e.state = .waiting
            let gap = now + s.minGapSeconds * 1000
            e.notBeforeMilliseconds = CallingHours.nextAllowed(e.phone, now: max(time, gap), from: s.callingHourFrom, to: s.callingHourTo)
        }
        switch outcome {
        case .noAnswer, .busy:
            e.callbackAtMilliseconds = nil
            e.callbackFor = nil
            e.attempts += 1
            if e.attempts >= s.attemptsPerRound {
                e.rounds += 1
                e.attempts = 0
                if e.rounds >= s.maxRounds {
                    e.state = .closed
                    e.notBeforeMilliseconds = nil
                    return e
                }
                wait(until: now + s.recallMinutes * 60_000)
            } else {
                wait(until: now)
            }
        case .callback:
            guard let at = callbackAt else { throw Refusal(field: "callbackAt", problem: "is required for a callback") }
            guard at > now else { throw Refusal(field: "callbackAt", problem: "must be in the future") }
            if let problem = Horizon.tooFarAhead(at, now: now) { throw Refusal(field: "callbackAt", problem: problem) }
            e.callbackAtMilliseconds = at
            e.callbackFor = callbackForOperator
            e.attempts = 0
            wait(until: at)
        case .offerMade, .refused, .invalid:
            e.state = .closed
            e.notBeforeMilliseconds = nil
        case .unspecified:
            throw Refusal(field: "outcome", problem: "must be no_answer, busy, callback, offer_made, refused or invalid")
        }
        return e
    }
}
