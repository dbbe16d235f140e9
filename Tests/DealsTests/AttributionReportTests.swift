import Contracts
import DealsService
import Foundation
import RPC
import ServiceKit
import Storage
import Testing
import TestSupport
import Wire

/// Issue 26 item 3 (002): a scripted January of web leads, calls, a reply, a win, a
/// payment and ad spend, through the ledgers that keep the figures; every figure of the
/// attribution report worked out by hand below.
@Suite struct AttributionReportTests {
    static let context = ServerContext(method: "test", metadata: Metadata(), deadline: nil, peer: "test", requestID: 1)

    /// 2027-01-05 10:00 UTC.
    static let start = Date(timeIntervalSince1970: 1_799_143_200)

    @Test func d9d7AttributionOverAScriptedMonthGivesEveryFigureWorkedOutByHand() async throws {
        let time = ManualTime(Self.start)
        let contacts = try FakeContacts()
        let f = try DealsFixture(contactsPort: contacts.server.port, clock: .manual(time))
        let inbox = EventInbox(database: f.database)
        f.api.subscribe(inbox)
        var sequence: Int64 = 0
        func deliver(_ type: String, _ payload: [UInt8]) async throws {
            sequence += 1
            _ = try await inbox.apply(EventBatch(events: [EventEnvelope(
                id: "e-\(sequence)", type: type, aggregateID: "x", sequence: sequence, occurredAtMilliseconds: time.milliseconds, source: "test", payload: payload)]))
        }
        func lead(_ phone: String, _ source: String, _ campaign: String) async throws -> LeadReceipt {
            var lead = f.lead(phone)
            (lead.utmSource, lead.utmMedium, lead.utmCampaign) = (source, "cpc", campaign)
            return try await f.api.leads.submit(lead)
        }
        func call(_ id: String, from number: String, campaign: String, answered: Bool) async throws {
            var session = CallSession(id: id, direction: .inbound, clientNumber: number, trackingNumber: "+74950000001")
            (session.utmSource, session.utmMedium, session.utmCampaign) = (campaign == "winter" ? "yandex" : "google", "cpc", campaign)
            (session.startedAtMilliseconds, session.answered, session.ended) = (time.milliseconds, answered, true)
            try await deliver(Telephony.Event.recorded, session.wireBytes())
        }

        // Winter (yandex): Anna and Boris open deals; Anna writes again an hour later (joins her deal).
        let anna = try await lead("+79160000001", "yandex", "winter")
        let boris = try await lead("+79160000002", "yandex", "winter")
        // Spring (google): Clara opens a deal.
        _ = try await lead("+79160000003", "google", "spring")
        // Anna is answered in a messenger ten minutes after she wrote.
        time.advance(by: 600)
        var reply = ConversationMessage(contactID: 1, dealID: anna.dealID, channel: .telegram, direction: .outbound, text: "Hello")
        reply.atMilliseconds = time.milliseconds
        try await deliver(Notifications.Event.messageSent, reply.wireBytes())
        time.advance(by: 3000)
        let again = try await lead("+79160000001", "yandex", "winter")
        #expect(again.attachedToExistingDeal)
        // Calls: two to the winter number (one missed), one to the spring number; each new number's call is a lead.
        try await call("1-a", from: "+79160000005", campaign: "winter", answered: true)
        try await call("1-b", from: "+79160000006", campaign: "winter", answered: false)
        try await call("1-c", from: "+79160000007", campaign: "spring", answered: true)
        // Anna's deal is won at 1,000.00; Boris pays 500.00 for his before it is won.
        var won = try await f.api.deals.get(try #require(anna.dealID), visibility: .everything)
        won.amountMinor = 100_000
        won.currency = "RUB"
        _ = try await f.api.deals.update(UpdateDealRequest(dealID: won.id, deal: won, fieldMask: ["amountMinor", "currency"]))
        _ = try await f.api.deals.changeStage(ChangeStageRequest(dealID: won.id, stageID: 4))
        var payment = Payment(id: 77, status: .paid, amountMinor: 50_000, currency: "RUB", payerContactID: 2, dealID: boris.dealID)
        payment.providerPaymentID = "tx-77"
        try await deliver(Billing.Event.paymentPaid, payment.wireBytes())
        // Spend: winter 31,000.00 in January; spring 5,000.00 in December (outside the month).
        for spend in [AdSpend(campaign: "winter", month: "2027-01", currency: "RUB", amountMinor: 3_100_000),
                      AdSpend(campaign: "spring", month: "2026-12", currency: "RUB", amountMinor: 500_000)] {
            _ = try await f.api.putAdSpend(spend, context: Self.context)
        }

        let report = try await f.api.attributionReport(
            AttributionRequest(from: "2027-01-01", to: "2027-01-31", groupBy: .utmCampaign, currency: "RUB"), context: Self.context)
        let winter = try #require(report.rows.first { $0.value == "winter" })
        // Calls 2, one missed; leads: Anna twice, Boris, and the two winter callers = 5; deals opened by Anna and Boris = 2;
        // won: Anna's; revenue: Anna's amount 1,000.00 + Boris's payment 500.00.
        #expect(winter.calls == 2 && winter.missedCalls == 1 && winter.leads == 5 && winter.dealsOpened == 2 && winter.won == 1)
        #expect(winter.revenueMinor == 150_000)
        #expect(winter.leadRate == 2.5 && winter.dealRate == 0.4 && winter.winRate == 0.5)
        // Anna was answered after 600 s; nobody else yet.
        #expect(winter.firstResponseMedianSeconds == 600)
        // Spend 31,000.00: per lead 6,200.00, per won deal 31,000.00, return 1,500 / 31,000 = 0.0484.
        #expect(winter.spendMinor == 3_100_000 && winter.costPerLeadMinor == 620_000 && winter.costPerWonMinor == 3_100_000 && winter.returnOnSpend == 0.0484)
        let spring = try #require(report.rows.first { $0.value == "spring" })
        #expect(spring.calls == 1 && spring.missedCalls == 0 && spring.leads == 2 && spring.dealsOpened == 1 && spring.won == 0 && spring.revenueMinor == 0)
        #expect(spring.spendMinor == 0 && spring.costPerLeadMinor == nil && spring.returnOnSpend == nil)
        #expect(report.rows.map { $0.value } == ["winter", "spring"])
        #expect(report.total.calls == 3 && report.total.leads == 7 && report.total.dealsOpened == 3 && report.total.revenueMinor == 150_000)
        #expect(report.total.spendMinor == 3_100_000)

        // The first ten days: a tenth of January's 31 days of spend... 10/31 of 31,000.00 = 10,000.00.
        let tenDays = try await f.api.attributionReport(
            AttributionRequest(from: "2027-01-01", to: "2027-01-10", groupBy: .utmCampaign, currency: "RUB"), context: Self.context)
        #expect(tenDays.rows.first { $0.value == "winter" }?.spendMinor == 1_000_000)
        // By channel: the calls are the `call` channel; web leads are `web`.
        let channels = try await f.api.attributionReport(
            AttributionRequest(from: "2027-01-01", to: "2027-01-31", groupBy: .source, currency: "RUB"), context: Self.context)
        #expect(channels.rows.first { $0.value == "web" }.map { ($0.leads, $0.calls) } ?? (0, 0) == (4, 0))
        #expect(channels.rows.first { $0.value == "call" }.map { ($0.leads, $0.calls, $0.missedCalls) } ?? (0, 0, 0) == (3, 3, 1))
        // Another currency has no revenue or spend; a period backwards, a grouping it does not have: refused.
        let dollars = try await f.api.attributionReport(
            AttributionRequest(from: "2027-01-01", to: "2027-01-31", groupBy: .utmCampaign, currency: "USD"), context: Self.context)
        #expect(dollars.total.revenueMinor == 0 && dollars.total.spendMinor == 0 && dollars.total.leads == 7)
        await #expect(throws: RPCError.self) {
            _ = try await f.api.attributionReport(AttributionRequest(from: "2027-01-31", to: "2027-01-01", groupBy: .utmCampaign, currency: "RUB"), context: Self.context)
        }
        await #expect(throws: RPCError.self) {
            _ = try await f.api.attributionReport(AttributionRequest(from: "2027-01-01", to: "2027-01-31", groupBy: .operator, currency: "RUB"), context: Self.context)
        }
        // Spend from a spreadsheet: all lines or none, each bad one named; amounts in the currency's units.
        let refused = await #expect(throws: RPCError.self) {
            _ = try await f.api.importAdSpend(AdSpendImport(csv: "campaign,month,currency,amount\nwinter,2027-02,RUB,100.5\nspring,2027-13,RUB,1\nsummer,2027-02,XXX,1"), context: Self.context)
        }
        #expect(refused?.details.map { String($0.description.prefix(6)) } == ["line 3", "line 4"])
        #expect(try await f.api.listAdSpend(AdSpendRequest(month: "2027-02"), context: Self.context).entries.isEmpty)
        let imported = try await f.api.importAdSpend(AdSpendImport(csv: "campaign,month,currency,amount\r\nwinter,2027-02,RUB,100.5\r\n\"spring\",2027-02,RUB,7\r\n"), context: Self.context)
        #expect(imported.entries.map { "\($0.campaign) \($0.amountMinor)" } == ["winter 10050", "spring 700"])
    }
}
