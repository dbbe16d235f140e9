import Contracts
import Foundation

/// N1: the language and time zone a message to a contact is written in — the channel's,
/// unless the contact has their own (custom fields `locale`, ru or en, and `time_zone`,
/// an IANA name).
struct RecipientLocale: Sendable {
    static let languages = ["ru", "en"]

    var locale: String
    var zone: TimeZone

    /// The channel's own.
    init(channel settings: ChannelSettings) {
        locale = settings.locale.isEmpty ? "ru" : settings.locale
        zone = TimeZone(identifier: settings.timeZone) ?? TimeZone(identifier: "UTC")!
    }

    /// The contact's where they have said, else the channel's.
    init(channel settings: ChannelSettings, contact: Contact) {
        self.init(channel: settings)
        if let own = contact.customFields.first(where: { $0.name == "time_zone" }).flatMap({ TimeZone(identifier: $0.value) }) { zone = own }
        if let own = contact.customFields.first(where: { $0.name == "locale" })?.value.lowercased(), Self.languages.contains(own) { locale = own }
    }
}
