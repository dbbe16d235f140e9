import ContractServices
import Contracts
import FoundationEssentials
import Glibc
import RPC
import ServiceKit
import Storage
import Wire

/// The billing service's RPC face (B1–B6): thin handlers over the stores.
public struct BillingAPI: Billing.ServiceProtocol {
    public let catalogue: CatalogueStore
    public let offers: OfferStore
    public let payments: PaymentStore
    public let subscriptions: SubscriptionStore
    public let economics: EconomicsStore
    /// Whether an offer's deal exists for the caller, and whose it is; nil checks nothing
    /// (a deployment that says so, the benchmarks).
    public let deals: DealReferences?
    /// Whether a payment's contact exists; nil checks nothing.
    public let contacts: RPCClient?

    /// C8: the events it keeps, for a person's erasure (the host's; none in unit tests).
    public var events = EventErasure.none

    public init(database: Database, clock: WallClock, staleAttemptMinutes: Int64 = 60, deals: DealReferences? = nil, contacts: RPCClient? = nil) {
        self.deals = deals
        self.contacts = contacts
        catalogue = CatalogueStore(database: database, clock: clock)
        offers = OfferStore(database: database, clock: clock)
        payments = PaymentStore(database: database, clock: clock, staleAttemptMinutes: staleAttemptMinutes)
        economics = EconomicsStore(database: database, clock: clock)
        subscriptions = SubscriptionStore(database: database, clock: clock)
    }

    /// B4–B6's facts: scheduling's enrolments and attendance, deals' won deals.
    public func erasePerson(_ request: ErasePersonRequest, context _: ServerContext) async throws -> ErasureReport {
        try await PayerErasure(database: payments.database, events: events).erase(request)
    }

    public func subscribe(_ inbox: EventInbox) {
        inbox.on(Scheduling.Event.enrolmentChanged) { event, tx in try GroupLedger.enrolmentChanged(try EnrolmentChanged(wireBytes: event.payload), tx) }
        inbox.on(Scheduling.Event.attendanceRecorded) { event, tx in try GroupLedger.attendanceRecorded(try LessonAttendance(wireBytes: event.payload), tx) }
        inbox.on(Deals.Event.won) { event, tx in try GroupLedger.dealWon(try DealStageChanged(wireBytes: event.payload), at: event.occurredAtMilliseconds, tx) }
    }

    public func createProduct(_ request: Product, context _: ServerContext) async throws -> Product {
        try await catalogue.createProduct(request)
    }

    public func updateProduct(_ request: ProductEdit, context: ServerContext) async throws -> Product {
        var edit = request
        let violations = request.product.violations()
        guard violations.isEmpty else { throw RPCError.invalidArgument("the product is not valid", details: violations) }
        (edit.actorID, edit.credentialID) = (context.principal?.staffID, context.principal?.credentialID)
        return try await catalogue.updateProduct(edit)
    }

    public func archiveProduct(_ request: ArchiveProductRequest, context: ServerContext) async throws -> Product {
        var archive = request
        (archive.actorID, archive.credentialID) = (context.principal?.staffID, context.principal?.credentialID)
        return try await catalogue.archiveProduct(archive)
    }

    public func productHistory(_ request: SetupHistoryRequest, context _: ServerContext) async throws -> SetupHistory {
        try await catalogue.productHistory(request.id)
    }

    public func listProducts(_ request: ListProductsRequest, context _: ServerContext) async throws -> ProductList {
        try await catalogue.listProducts(request)
    }

    public func updatePriceList(_ request: PriceList, context: ServerContext) async throws -> PriceList {
        try await catalogue.updatePriceList(request, by: SetupLog.Author(staffID: context.principal?.staffID, credentialID: context.principal?.credentialID))
    }

    public func priceListHistory(_ request: SetupHistoryRequest, context _: ServerContext) async throws -> SetupHistory {
        try await catalogue.priceListHistory(request.id)
    }

    public func createPriceList(_ request: PriceList, context _: ServerContext) async throws -> PriceList {
        try await catalogue.createPriceList(request)
    }

    public func listPriceLists(_: Empty, context _: ServerContext) async throws -> PriceListList {
        try await catalogue.listPriceLists()
    }

    public func createZone(_ request: DeliveryZone, context _: ServerContext) async throws -> DeliveryZone {
        try await catalogue.createZone(request)
    }

    public func listZones(_: Empty, context _: ServerContext) async throws -> DeliveryZoneList {
        try await catalogue.listZones()
    }

    /// B2, G3 in billing itself (issue 24 item 4): the offer's deal must exist and be one the
    /// principal sees (else not_found, as if it did not exist), and its contact, pipeline and
    /// responsible are the deal's as deals says, whatever the caller sent.
    public func putOffer(_ request: Offer, context: ServerContext) async throws -> Offer {
        var offer = request
        if let deal = try await requireDeal(request.dealID, context) {
            (offer.contactID, offer.pipelineID, offer.responsibleID) = (deal.contactID, deal.pipelineID, deal.responsibleID)
        }
        return try await offers.put(offer)
    }

    public func getOffer(_ request: GetOfferRequest, context: ServerContext) async throws -> Offer {
        if context.principal?.visibility?.restricted == true { try await requireDeal(request.dealID, context) }
        return try await offers.get(request.dealID)
    }

    public func confirmOffer(_ request: ConfirmOfferRequest, context: ServerContext) async throws -> Offer {
        try await requireDeal(request.dealID, context)
        return try await offers.confirm(request)
    }

    /// The deal when deals is asked and shows it; not_found when it does not.
    @discardableResult
    private func requireDeal(_ id: Int64, _ context: ServerContext) async throws -> Deal? {
        guard let deals else { return nil }
        guard let deal = try await deals.deal(id, context) else { throw RPCError.notFound("deal \(id) does not exist") }
        return deal
    }

    public func listOrders(_ request: OrderQuery, context _: ServerContext) async throws -> OfferList {
        try await offers.orders(request)
    }

    /// B3: a payment that names its payer names a contact that exists (422 otherwise, in the
    /// gateway's words); one without is matched later by the payer intake.
    public func recordPayment(_ request: PaymentReport, context: ServerContext) async throws -> Payment {
        if let contacts, let id = request.contactID {
            let found = try await contacts.call(Contacts.getContacts, GetContactsRequest(ids: [id], visibility: context.principal?.visibility))
            guard found.contacts.contains(where: { $0.id == id }) else {
                throw RPCError.invalidArgument("contact \(id) does not exist", details: [FieldViolation(field: "contactId", description: "is unknown")])
            }
        }
        return try await payments.record(request)
    }

    public func recordPayments(_ request: PaymentReports, context: ServerContext) async throws -> RecordedPayments {
        let named = Array(Set(request.reports.compactMap(\.contactID))).sorted()
        if let contacts, !named.isEmpty {
            let found = Set(try await contacts.call(Contacts.getContacts, GetContactsRequest(ids: named, visibility: context.principal?.visibility)).contacts.map(\.id))
            if let index = request.reports.firstIndex(where: { $0.contactID.map { !found.contains($0) } ?? false }) {
                throw RPCError.invalidArgument(
                    "contact \(request.reports[index].contactID ?? 0) does not exist", details: [FieldViolation(field: "reports[\(index)].contactId", description: "is unknown")])
            }
        }
        return RecordedPayments(count: Int64(try await payments.record(all: request.reports)))
    }

    public func getPayment(_ request: GetPaymentRequest, context _: ServerContext) async throws -> Payment {
        try await payments.get(request.id)
    }

    public func listPayments(_ request: ListPaymentsRequest, context _: ServerContext) async throws -> PaymentList {
        try await payments.list(request)
    }

    public func recordSubscription(_ request: SubscriptionReport, context _: ServerContext) async throws -> PaymentSubscription {
        try await subscriptions.record(request)
    }

    public func listSubscriptions(_ request: ListSubscriptionsRequest, context _: ServerContext) async throws -> SubscriptionList {
        try await subscriptions.list(request)
    }

    public func balances(_ request: BalanceRequest, context _: ServerContext) async throws -> BalanceList {
        try await economics.balances(request)
    }

    public func putGroupCosts(_ request: GroupCosts, context _: ServerContext) async throws -> GroupCosts {
        try await economics.putCosts(request)
    }

    public func groupEconomics(_ request: GroupMonthRequest, context _: ServerContext) async throws -> GroupMonth {
        try await economics.economics(request)
    }

    public func putBonusFormula(_ request: BonusFormula, context _: ServerContext) async throws -> BonusFormula {
        try await economics.putFormula(request)
    }

    public func bonusFormulas(_: Empty, context _: ServerContext) async throws -> BonusFormulaList {
        try await economics.formulas()
    }

    /// B6, G3: a person who does not see everything sees only their own lines.
    public func bonusReport(_ request: BonusReportRequest, context: ServerContext) async throws -> BonusReport {
        var request = request
        if let principal = context.principal, principal.visibility?.restricted == true {
            guard let staff = principal.staffID, request.managerID == nil || request.managerID == staff else {
                throw RPCError(.permissionDenied, "a staff member sees only their own bonus lines")
            }
            request.managerID = staff
        }
        return try await economics.bonusReport(request)
    }
}
