import Contracts
import FoundationEssentials
import Glibc
import Wire

/// D3: the checks a lead gets before and after the contact is matched.
public enum LeadTriage {
    /// Why a lead cannot become a deal at all (nil when it can): no way to reach the
    /// person. Kept as low quality with this reason for the partner to read.
    public static func rejection(_ lead: Lead) -> String? {
        let phone = lead.phone.trimming(.spaces)
        let email = lead.email.trimming(.spaces)
        if phone.isEmpty && email.isEmpty { return "no phone or email: nobody to call back" }
        return nil
    }

    /// Input limits, checked before anything is stored (400 for the sender, not a lead):
    /// the schema's, and an amount's currency.
    public static func violations(_ lead: Lead) -> [FieldViolation] {
        lead.violations() + DealStore.moneyViolations(amountMinor: lead.amountMinor, currency: lead.currency)
    }

    /// A lead for a contact that already has an open deal joins that deal, and a partner's
    /// or a form's is a duplicate: the person is in work. Whether the contact existed
    /// before this lead does not matter: two leads of one person at once find the contact
    /// made by either, and whichever is written second finds the other's deal.
    /// The reason names no deal: it is shown to whoever sent the lead, and the deal is
    /// in the receipt's dealId for those who may see it (G3). A client who calls or writes
    /// about their open deal is an interaction on it (its timeline), never a duplicate:
    /// D3's duplicate is a partner's or a form's lead of a person already in work.
    /// Channels where the client talks to the business themselves (D3, D5).
    public static let interactionChannels: Set<String> = ["call", "whatsapp", "telegram"]

    public static func duplicateReason(channel: String, openDealID: Int64?) -> String? {
        guard openDealID != nil, !interactionChannels.contains(channel) else { return nil }
        return "duplicate: this person is already in work on an open deal"
    }

    /// G3 for leads: a restricted caller sees a lead its team sent or whose deal it sees.
    /// Of a lead it sees only because it sent it, the deal and contact are left out: they
    /// are another staff member's.
    public static func view(_ receipt: LeadReceipt, submittedBy: Int64?, dealVisible: Bool, visibility: Visibility) -> LeadReceipt? {
        guard visibility.restricted, !dealVisible else { return receipt }
        guard let submittedBy, visibility.staffIDs.contains(submittedBy) else { return nil }
        return receipt.withoutDeal()
    }

    /// The title of the deal a lead opens.
    public static func dealTitle(_ lead: Lead) -> String {
        if !lead.title.isEmpty { return lead.title }
        let name = [lead.firstName, lead.lastName].filter { !$0.isEmpty }.joined(separator: " ")
        return "\(lead.channel) lead" + (name.isEmpty ? "" : ": \(name)")
    }
}

extension LeadReceipt {
    /// The receipt without the deal and contact it led to.
    func withoutDeal() -> LeadReceipt {
        var r = self
        r.dealID = nil
        r.contactID = nil
        return r
    }
}
