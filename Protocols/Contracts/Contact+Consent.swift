extension Contact {
    /// C8: whether a message for `purpose` over `channel` may go to this person, by their
    /// latest words (``consents``): marketing needs a word given; service goes unless they
    /// withdrew it. Every service that writes to or calls people asks this one rule.
    public func consents(to channel: ConsentChannel, for purpose: ConsentPurpose) -> Bool {
        let word = consents.first { $0.channel == channel && $0.purpose == purpose }
        switch purpose {
        case .marketing: return word?.granted == true
        default: return word?.granted != false
        }
    }
}
