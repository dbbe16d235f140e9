import ContractServices
import Contracts
import Foundation
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

    public init(database: Database, clock: WallClock, staleAttemptMinutes: Int64 = 60) {
        catalogue = CatalogueStore(database: database, clock: clock)
        offers = OfferStore(database: database, clock: clock)
        payments = PaymentStore(database: database, clock: clock, staleAttemptMinutes: staleAttemptMinutes)
        economics = EconomicsStore(database: database, clock: clock)
        subscriptions = SubscriptionStore(database: database, clock: clock)
    }

    /// B4–B6's facts: scheduling's enrolments and attendance, deals' won deals.
    public func subscribe(_ inbox: EventInbox) {
        inbox.on(Scheduling.Event.enrolmentChanged) { event, tx in try GroupLedger.enrolmentChanged(try EnrolmentChanged(wireBytes: event.payload), tx) }
        inbox.on(Scheduling.Event.attendanceRecorded) { event, tx in try GroupLedger.attendanceRecorded(try LessonAttendance(wireBytes: event.payload), tx) }
        inbox.on(Deals.Event.won) { event, tx in try GroupLedger.dealWon(try DealStageChanged(wireBytes: event.payload), at: event.occurredAtMilliseconds, tx) }
    }

    public func createProduct(_ request: Product, context _: ServerContext) async throws -> Product {
        try await catalogue.createProduct(request)
    }

    public func listProducts(_ request: ListProductsRequest, context _: ServerContext) async throws -> ProductList {
        try await catalogue.listProducts(request)
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

    public func putOffer(_ request: Offer, context _: ServerContext) async throws -> Offer {
        try await offers.put(request)
    }

    public func getOffer(_ request: GetOfferRequest, context _: ServerContext) async throws -> Offer {
        try await offers.get(request.dealID)
    }

    public func confirmOffer(_ request: ConfirmOfferRequest, context _: ServerContext) async throws -> Offer {
        try await offers.confirm(request)
    }

    public func listOrders(_ request: OrderQuery, context _: ServerContext) async throws -> OfferList {
        try await offers.orders(request)
    }

    public func recordPayment(_ request: PaymentReport, context _: ServerContext) async throws -> Payment {
        try await payments.record(request)
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

    public func bonusReport(_ request: BonusReportRequest, context _: ServerContext) async throws -> BonusReport {
        try await economics.bonusReport(request)
    }
}
