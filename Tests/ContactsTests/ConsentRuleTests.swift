import ContactsService
import Contracts
import Testing

/// C8's rule for consents as plain values: the latest word per channel and purpose stands,
/// a word recorded late with an earlier time does not undo a newer one, and marketing
/// needs a word given while service goes unless withdrawn.
@Suite struct ConsentRuleTests {
    static func word(_ channel: ConsentChannel, _ purpose: ConsentPurpose, _ granted: Bool, at: Int64) -> Consent {
        Consent(channel: channel, purpose: purpose, granted: granted, source: "form", atMilliseconds: at)
    }

    @Test func c8TheLatestWordPerChannelAndPurposeStands() {
        var current: [Consent] = []
        current = ConsentRule.current(current, after: Self.word(.sms, .marketing, true, at: 10))
        current = ConsentRule.current(current, after: Self.word(.email, .marketing, true, at: 11))
        current = ConsentRule.current(current, after: Self.word(.sms, .marketing, false, at: 20))
        current = ConsentRule.current(current, after: Self.word(.sms, .marketing, true, at: 15))
        #expect(current.map { "\($0.channel.name)/\($0.purpose.name)=\($0.granted)" } == ["email/marketing=true", "sms/marketing=false"])
    }

    @Test func c8MarketingNeedsAWordGivenAndServiceGoesUnlessWithdrawn() {
        var contact = Contact()
        #expect(!contact.consents(to: .sms, for: .marketing) && contact.consents(to: .sms, for: .service))
        contact.consents = [Self.word(.sms, .marketing, true, at: 1), Self.word(.email, .service, false, at: 1)]
        #expect(contact.consents(to: .sms, for: .marketing) && !contact.consents(to: .email, for: .marketing))
        #expect(!contact.consents(to: .email, for: .service) && contact.consents(to: .whatsapp, for: .service))
    }

    @Test func c8AWordNeedsItsChannelPurposeAndSourceAndIsNotFromTheFuture() {
        let fields = ConsentRule.violations(Consent(source: " ", atMilliseconds: 10 * 60 * 1000), now: 0).map(\.field)
        #expect(fields == ["channel", "purpose", "source", "at"])
        #expect(ConsentRule.violations(Self.word(.calls, .service, false, at: 60_000), now: 0).isEmpty, "a minute of clock skew is fine")
    }
}
