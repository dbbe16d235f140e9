import Contracts

/// N6: an NPS survey's life as plain values on an injected clock — planned when the deal is
/// won, asked 10 minutes later, answered with a score 0–10 within 24 hours of being asked
/// or expired (no answer, or the contact sent /stop). The stores keep each state in SQLite;
/// the transitions are here.
public enum SurveyProgress {
    public static let askAfterMilliseconds: Int64 = 10 * 60_000
    public static let waitMilliseconds: Int64 = 24 * 3_600_000
    /// How long a failed ask waits before it is tried again.
    public static let askRetryMilliseconds: Int64 = 60_000

    public static func planned(dealID: Int64, contactID: Int64, wonAt: Int64) -> Survey {
        Survey(dealID: dealID, contactID: contactID, status: .planned, dueAtMilliseconds: wonAt + askAfterMilliseconds)
    }

    /// The question in the recipient's language, the name escaped for Telegram's HTML.
    public static func question(firstName: String, locale: String) -> String {
        let name = firstName.trimmingCharacters(in: .whitespaces)
        let greeting = name.isEmpty ? "" : TemplateRenderer.escape(name, for: .telegram) + ", "
        switch locale {
        case "en": return greeting + "how likely are you to recommend us to a friend? 0–10"
        default:
            let ask = "насколько вероятно, что вы порекомендуете нас другу? 0–10"
            return greeting + (greeting.isEmpty ? "Н" + ask.dropFirst() : ask)
        }
    }

    /// The messenger refused the question for good: the survey ends there.
    public static func refused(_ s: Survey, why: String) -> Survey {
        var out = s
        out.status = .failed
        out.note = "the messenger refused the question: \(why)"
        return out
    }

    public static func isDue(_ s: Survey, now: Int64) -> Bool { s.status == .planned && s.dueAtMilliseconds <= now }

    public static func asked(_ s: Survey, chat: String, at now: Int64) -> Survey {
        var out = s
        out.status = .asking
        out.chatID = chat
        out.askedAtMilliseconds = now
        out.expiresAtMilliseconds = now + waitMilliseconds
        out.note = "asked in chat \(chat)"
        return out
    }

    public static func askFailed(_ s: Survey, why: String, at now: Int64) -> Survey {
        var out = s
        out.dueAtMilliseconds = now + askRetryMilliseconds
        out.note = "asking failed: \(why); again in a minute"
        return out
    }

    public static func hasExpired(_ s: Survey, now: Int64) -> Bool {
        s.status == .asking && (s.expiresAtMilliseconds ?? .max) <= now
    }

    public static func expired(_ s: Survey, because why: String = "no answer in 24 hours") -> Survey {
        var out = s
        out.status = .expired
        out.note = why
        return out
    }

    /// The survey answered with `score` at `now`; nil when it takes no answer then (not
    /// being asked, or its 24 hours are over: a late reply does not count).
    public static func answered(_ s: Survey, score: Int64, at now: Int64) -> Survey? {
        guard s.status == .asking, !hasExpired(s, now: now), (0...10).contains(score) else { return nil }
        var out = s
        out.status = .answered
        out.score = score
        out.answeredAtMilliseconds = now
        out.note = "answered \(score)"
        return out
    }

    /// 0–2: a detractor the responsible calls back (a follow_up task).
    public static func needsFollowUp(_ score: Int64) -> Bool { score <= 2 }
}
