import Contracts
import FoundationEssentials
import Glibc
import Storage
import Wire

/// Billing's events on the deals side, inside the inbox's transaction (a redelivery adds
/// nothing): a confirmed offer moves its deal to the pipeline's "confirmed" stage (B2);
/// a payment goes on its payer's timeline (D5), and a paid payment naming no deal or group
/// opens what its integration says — a deal in the donations or the orders pipeline, or
/// nothing — one per payment, kept in `payment_deals`, so a payment's redelivered or
/// repeated events never open a second (B3).
enum BillingLedger {
    static func offerConfirmed(_ offer: Offer, _ tx: Transaction, now: Int64) throws {
        guard let deal = try DealStore.load(tx.connection, id: offer.dealID) else {
            throw RPCError.notFound("deal \(offer.dealID) does not exist")
        }
        let money = (try? Money(minor: offer.totalMinor, currency: offer.currency))?.description ?? "\(offer.totalMinor) \(offer.currency)"
        let delivery = offer.delivery.map { " + delivery \($0.tariff) \((try? Money(minor: $0.costMinor, currency: offer.currency))?.description ?? "") in \($0.leadDays) days" } ?? ""
        let summary = "offer confirmed: \(offer.lines.count) lines, \(money)\(delivery)" + (offer.address.isEmpty ? "" : " to \(offer.address)")
        try TimelineStore.append(tx, TimelineStore.entry(kind: "offer", dealID: deal.id, contactID: deal.contactID, summary: summary, at: now))
        guard deal.status == .open else { return }
        guard let pipeline = try PipelineStore.load(tx.connection).first(where: { $0.id == deal.pipelineID }), let stage = pipeline.confirmedStage else {
            throw RPCError(.failedPrecondition, "deal \(deal.id)'s pipeline has no \"confirmed\" stage to move it to")
        }
        guard deal.stageID != stage.id else { return }
        _ = try DealStore.changeStage(tx, deal, ChangeStageRequest(dealID: deal.id, stageID: stage.id), now: now)
    }

    static func payment(_ p: Payment, _ type: String, _ tx: Transaction, now: Int64) throws {
        guard let contact = p.payerContactID else { return }
        let amount = (try? Money(minor: p.amountMinor, currency: p.currency))?.description ?? "\(p.amountMinor) \(p.currency)"
        var dealID = try p.dealID.flatMap { try DealStore.load(tx.connection, id: $0)?.id }
        let opens = Self.opens(p)
        let donation = opens == .donations
        if dealID == nil, opens == .donations || opens == .orders {
            dealID = try tx.queryFirst("SELECT deal_id FROM payment_deals WHERE payment_id = ?", [.integer(p.id)]) { $0.int64(0) }
            if dealID == nil, type == Billing.Event.paymentPaid {
                var deal = Deal()
                let about = p.purpose.isEmpty ? p.campaign : p.purpose
                deal.title = (donation ? "Donation" : "Order \(p.providerPaymentID.prefix(100))") + (about.isEmpty ? "" : ": \(about.prefix(280))")
                deal.contactID = contact
                let pipelines = try PipelineStore.load(tx.connection)
                deal.pipelineID = LeadIntake.pipeline(for: donation ? "donations" : "orders", in: pipelines)
                deal.amountMinor = p.amountMinor - p.refundedMinor
                deal.currency = p.currency
                deal.source = donation ? "donation" : "order"
                let summary = donation
                    ? "donation \(amount) via \(p.provider.name) (\(p.repeatPayer ? "repeat" : "first") donor)"
                    : "order \(p.providerPaymentID) paid \(amount) via \(p.provider.name) (\(p.repeatPayer ? "repeat" : "first") payer)"
                let opened = try DealStore.open(tx, deal, actorID: nil, timelineSummary: summary, pipelines: pipelines, now: now)
                try tx.run("INSERT INTO payment_deals (payment_id, deal_id) VALUES (?, ?)", [.integer(p.id), .integer(opened.id)])
                return
            }
        }
        // Issue 26: what was paid for the deal is its revenue in the attribution report.
        if let dealID { try LeadReportStore.payment(tx, p, dealID: dealID) }
        let summary: String
        switch type {
        case Billing.Event.paymentPaid:
            summary = "paid \(amount) via \(p.provider.name) \(p.providerPaymentID) (\(p.repeatPayer ? "repeat" : "first") payer)" + (p.purpose.isEmpty ? "" : " for \(p.purpose)")
        case Billing.Event.paymentRefunded:
            let refunded = (try? Money(minor: p.refundedMinor, currency: p.currency))?.description ?? "\(p.refundedMinor)"
            summary = "refunded \(refunded) of \(amount) (\(p.provider.name) \(p.providerPaymentID))"
            if opens != .nothing, let dealID {
                // The deal the payment opened holds what was kept.
                if var deal = try DealStore.load(tx.connection, id: dealID) {
                    deal.amountMinor = p.amountMinor - p.refundedMinor
                    try DealStore.table.update(tx, deal)
                }
            }
        default:
            summary = "payment of \(amount) failed (\(p.provider.name) \(p.providerPaymentID))"
        }
        try TimelineStore.append(tx, TimelineStore.entry(kind: "payment", dealID: dealID, contactID: contact, summary: summary, at: now))
    }

    /// B3: a recurring charge failed — on the payer's timeline, so whoever works with them
    /// sees it (a subscription whose payer is not known yet has nowhere to go).
    static func subscriptionPastDue(_ s: PaymentSubscription, _ tx: Transaction, now: Int64) throws {
        guard let contact = s.payerContactID else { return }
        let amount = s.currency.isEmpty ? "" : " of " + ((try? Money(minor: s.amountMinor, currency: s.currency))?.description ?? "\(s.amountMinor) \(s.currency)")
        let summary = "subscription \(s.subscriptionID) past due: a recurring charge\(amount) via \(s.provider.name) failed"
        try TimelineStore.append(tx, TimelineStore.entry(kind: "payment", dealID: nil, contactID: contact, summary: summary, at: now))
    }

    /// B3: what a paid payment that names no deal or group opens — its integration's
    /// setting (``PaymentOpens/unlessSaid(_:provider:)`` for payments from before it).
    static func opens(_ p: Payment) -> PaymentOpens {
        guard p.dealID == nil, p.groupID == nil, !p.test else { return .nothing }
        return PaymentOpens.unlessSaid(p.opens, provider: p.provider)
    }
}
