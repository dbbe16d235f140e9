import Wire

extension InboundMessages {
    /// Most messages one call carries (issue 25): the relay merges webhooks up to it, and
    /// notifications and deals file at most this many at once (invalid_argument beyond).
    public static let limit = 500
}
