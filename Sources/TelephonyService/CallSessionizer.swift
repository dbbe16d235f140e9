import Contracts

/// T1: one session per real call. Reports of legs (forwarding steps, "before / on pickup /
/// after" hooks, retries) are merged into the session; the session keeps the most
/// complete data and never gets worse: a leg answered stays answered, durations only
/// grow, a recording once known stays, a field once filled is not emptied.
public enum CallSessionizer {
    /// Reports of one call without a shared id meet when their client numbers match and
    /// they start within this many milliseconds of each other.
    public static let defaultWindowMilliseconds: Int64 = 120_000

    /// How good an ending is: a better one replaces a worse one, never the reverse.
    static func rank(_ d: LegDisposition) -> Int {
        switch d {
        case .answered: 4
        case .busy: 3
        case .noAnswer: 2
        case .failed: 1
        case .unspecified: 0
        }
    }

    /// `session` with `report` merged in (a new session when nil), and whether anything changed.
    public static func merge(_ session: CallSession?, _ report: CallReport, clientNumber: String, now: Int64) -> (session: CallSession, changed: Bool) {
        var s = session ?? CallSession()
        let before = s
        if session == nil {
            s.clientNumber = clientNumber
            s.startedAtMilliseconds = report.legs.map(\.startedAtMilliseconds).min() ?? now
        }
        if !report.providerCallID.isEmpty {
            let id = report.provider.isEmpty ? report.providerCallID : "\(report.provider):\(report.providerCallID)"
            if !s.providerCallIDs.contains(id) { s.providerCallIDs.append(id) }
        }
        if s.direction == .unspecified || (s.direction != .internal && report.direction == .internal) { s.direction = report.direction }
        func fill(_ field: inout String, _ value: String) { if field.isEmpty && !value.isEmpty { field = value } }
        fill(&s.trackingNumber, report.trackingNumber)
        fill(&s.poolName, report.poolName)
        fill(&s.utmSource, report.utmSource)
        fill(&s.utmMedium, report.utmMedium)
        fill(&s.utmCampaign, report.utmCampaign)
        for leg in report.legs { s.legs = merged(s.legs, leg) }
        if report.ended { s.ended = true }
        s.legs.sort { ($0.startedAtMilliseconds, $0.destination) < ($1.startedAtMilliseconds, $1.destination) }
        if let first = s.legs.first?.startedAtMilliseconds { s.startedAtMilliseconds = min(s.startedAtMilliseconds, first) }
        derive(&s)
        let changed = session == nil || s != before
        if changed { s.updatedAtMilliseconds = now }
        return (s, changed)
    }

    /// A leg reported again (same destination and start) is the same leg: the better
    /// of the two reports of it, field by field.
    static func merged(_ legs: [CallLeg], _ leg: CallLeg) -> [CallLeg] {
        guard let i = legs.firstIndex(where: { $0.destination == leg.destination && $0.startedAtMilliseconds == leg.startedAtMilliseconds }) else {
            return legs + [leg]
        }
        var out = legs
        var known = out[i]
        if rank(leg.disposition) > rank(known.disposition) { known.disposition = leg.disposition }
        known.durationSeconds = max(known.durationSeconds, leg.durationSeconds)
        known.talkSeconds = max(known.talkSeconds, leg.talkSeconds)
        if known.recordingURL.isEmpty { known.recordingURL = leg.recordingURL }
        if known.staffID == nil { known.staffID = leg.staffID }
        out[i] = known
        return out
    }

    /// What follows from the legs: answered, by whom (T4: the last answered leg), the
    /// talk and total time, the recording (T8).
    static func derive(_ s: inout CallSession) {
        let answered = s.legs.filter { $0.disposition == .answered }
        s.answered = !answered.isEmpty
        s.answeredByStaffID = answered.last(where: { $0.staffID != nil })?.staffID
        s.talkSeconds = answered.reduce(0) { $0 + $1.talkSeconds }
        let end = s.legs.map { $0.startedAtMilliseconds + $0.durationSeconds * 1000 }.max() ?? s.startedAtMilliseconds
        s.durationSeconds = max(0, (end - s.startedAtMilliseconds) / 1000)
        s.recordingURL = answered.reversed().first { !$0.recordingURL.isEmpty }?.recordingURL
            ?? s.legs.first { !$0.recordingURL.isEmpty }?.recordingURL ?? ""
    }
}
