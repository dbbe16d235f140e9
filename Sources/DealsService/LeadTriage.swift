import Contracts
import Foundation

/// D3: the checks a lead gets before and after the contact is matched.
public enum LeadTriage {
    /// Why a lead cannot become a deal at all (nil when it can): no way to reach the
    /// person. Kept as low quality with this reason for the partner to read.
    public static func rejection(_ lead: Lead) -> String? {
        let phone = lead.phone.trimmingCharacters(in: .whitespaces)
        let email = lead.email.trimmingCharacters(in: .whitespaces)
        if phone.isEmpty && email.isEmpty { return "no phone or email: nobody to call back" }
        return nil
    }

    /// Input limits, checked before anything is stored (400 for the sender, not a lead).
    public static func violations(_ lead: Lead) -> [(field: String, problem: String)] {
        var found: [(String, String)] = []
        if lead.channel.isEmpty || lead.channel.count > 50 { found.append(("channel", "must be 1 to 50 characters")) }
        for (field, value, limit) in [
            ("partner", lead.partner, 100), ("externalId", lead.externalID, 200), ("firstName", lead.firstName, 200),
            ("lastName", lead.lastName, 200), ("phone", lead.phone, 50), ("email", lead.email, 320),
            ("comment", lead.comment, 5000), ("title", lead.title, 300), ("utmSource", lead.utmSource, 200),
            ("utmMedium", lead.utmMedium, 200), ("utmCampaign", lead.utmCampaign, 200), ("currency", lead.currency, 3),
        ] where value.count > limit {
            found.append((field, "must be at most \(limit) characters"))
        }
        if lead.amountMinor < 0 { found.append(("amountMinor", "must not be negative")) }
        return found
    }

    /// A lead for a contact that already has an open deal joins that deal; if the same
    /// person was already a lead (the contact existed), the partner's lead is a duplicate.
    public static func duplicateReason(contactExisted: Bool, openDealID: Int64?) -> String? {
        guard contactExisted, let openDealID else { return nil }
        return "duplicate: this person is already in work (deal \(openDealID))"
    }

    /// The title of the deal a lead opens.
    public static func dealTitle(_ lead: Lead) -> String {
        if !lead.title.isEmpty { return lead.title }
        let name = [lead.firstName, lead.lastName].filter { !$0.isEmpty }.joined(separator: " ")
        return "\(lead.channel) lead" + (name.isEmpty ? "" : ": \(name)")
    }
}
