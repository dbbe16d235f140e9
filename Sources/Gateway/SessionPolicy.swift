import Foundation

/// G6: how long a person's console session lasts and which passwords they may choose, as
/// plain values: a session ends after `idle` without a request or `absolute` after sign-in,
/// whichever comes first; an invite link works once, within `inviteLifetime`.
public struct SessionPolicy: Sendable, Equatable {
    public var idle: TimeInterval = 30 * 60
    public var absolute: TimeInterval = 12 * 3600
    public var inviteLifetime: TimeInterval = 72 * 3600

    public init(idle: TimeInterval = 30 * 60, absolute: TimeInterval = 12 * 3600, inviteLifetime: TimeInterval = 72 * 3600) {
        (self.idle, self.absolute, self.inviteLifetime) = (idle, absolute, inviteLifetime)
    }

    /// Whether a session made at `createdAt` and last used at `seenAt` still holds at `now`.
    func holds(createdAt: Date, seenAt: Date, now: Date) -> Bool {
        now < createdAt.addingTimeInterval(absolute) && now < seenAt.addingTimeInterval(idle)
    }

    /// Why `password` may not be chosen by the person with `email`; nil when it may.
    /// Length over composition rules (NIST SP 800-63B §3.1.1.2): at least 10 characters,
    /// at most 200 (each one is hashed), not only spaces, not the email itself.
    static func problem(password: String, email: String) -> String? {
        let count = password.count
        if count < 10 { return "is \(count) characters; choose at least 10" }
        if count > 200 { return "is longer than 200 characters" }
        if password.allSatisfy(\.isWhitespace) { return "is only spaces" }
        if password.lowercased() == email.lowercased() { return "is your email; choose something else" }
        return nil
    }
}

