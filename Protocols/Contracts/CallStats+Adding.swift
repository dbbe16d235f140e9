/// T11 across replicas: their figures add up (a number lives on one replica, so their
/// sessions never overlap). Callers that fan out (the gateway) and telephony itself use it.
extension CallStats {
    public func adding(_ b: CallStats) -> CallStats {
        let a = self
        var out = CallStats(
            calls: a.calls + b.calls, missed: a.missed + b.missed, missedCalledBack: a.missedCalledBack + b.missedCalledBack,
            callBackSecondsTotal: a.callBackSecondsTotal + b.callBackSecondsTotal)
        out.timeZone = a.timeZone.isEmpty ? b.timeZone : a.timeZone
        var load: [Int64: StaffLoad] = [:]
        for l in a.load + b.load {
            var t = load[l.staffID] ?? StaffLoad(staffID: l.staffID)
            t.offered += l.offered
            t.answered += l.answered
            t.talkSeconds += l.talkSeconds
            t.made += l.made
            load[l.staffID] = t
        }
        out.load = load.values.sorted { $0.staffID < $1.staffID }
        var hours: [Int64: Int64] = [:]
        for h in a.byHour + b.byHour { hours[h.weekday * 100 + h.hour, default: 0] += h.calls }
        out.byHour = hours.keys.sorted().map { HourCount(weekday: $0 / 100, hour: $0 % 100, calls: hours[$0]!) }
        return out
    }
}
