import Contracts
import Foundation
import RPC
import ServiceKit
import Storage
import Wire

/// The billing service's RPC face (B1–B6): thin handlers over the stores.
public struct BillingAPI: RegistrableRPCService {
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

    public func registerMethods(with server: RPCServer) {
        server.register(Billing.createProduct) { request, _ in try await catalogue.createProduct(request) }
        server.register(Billing.listProducts) { request, _ in try await catalogue.listProducts(request) }
        server.register(Billing.createPriceList) { request, _ in try await catalogue.createPriceList(request) }
        server.register(Billing.listPriceLists) { _, _ in try await catalogue.listPriceLists() }
        server.register(Billing.createZone) { request, _ in try await catalogue.createZone(request) }
        server.register(Billing.listZones) { _, _ in try await catalogue.listZones() }
        server.register(Billing.putOffer) { request, _ in try await offers.put(request) }
        server.register(Billing.getOffer) { request, _ in try await offers.get(request.dealID) }
        server.register(Billing.confirmOffer) { request, _ in try await offers.confirm(request) }
        server.register(Billing.listOrders) { request, _ in try await offers.orders(request) }
        server.register(Billing.recordPayment) { request, _ in try await payments.record(request) }
        server.register(Billing.getPayment) { request, _ in try await payments.get(request.id) }
        server.register(Billing.listPayments) { request, _ in try await payments.list(request) }
        server.register(Billing.recordSubscription) { request, _ in try await subscriptions.record(request) }
        server.register(Billing.listSubscriptions) { request, _ in try await subscriptions.list(request) }
        server.register(Billing.balances) { request, _ in try await economics.balances(request) }
        server.register(Billing.putGroupCosts) { request, _ in try await economics.putCosts(request) }
        server.register(Billing.groupEconomics) { request, _ in try await economics.economics(request) }
        server.register(Billing.putBonusFormula) { request, _ in try await economics.putFormula(request) }
        server.register(Billing.bonusFormulas) { _, _ in try await economics.formulas() }
        server.register(Billing.bonusReport) { request, _ in try await economics.bonusReport(request) }
        server.setHealth(.serving, for: Billing.service)
    }
}
