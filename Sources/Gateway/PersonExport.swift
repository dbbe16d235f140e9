import Contracts
import Foundation
import RPC
import Wire

/// P5: `GET /v1/contacts/{id}/export`, a person's request to see what is held about them
/// (152-FZ art. 14, GDPR art. 15): every section from the service that keeps it, read
/// page by page. A service that does not answer fails the whole export (503): a document
/// missing a section would say less than is held. Each section holds at most
/// ``sectionLimit`` items; one cut there is named in `incomplete`.
enum PersonExport {
    static let sectionLimit = 10_000
    static let page: Int64 = 500

    static func document(_ ctx: RequestContext, contactID: Int64) async throws -> PersonData {
        var data = PersonData()
        data.contact = try await ctx.call(Contacts.get, GetContactRequest(id: contactID, includeDeleted: true))
        data.attendance = try await ctx.call(Contacts.listAttendance, ListAttendanceRequest(contactID: contactID, includeDeleted: true)).records
        data.consents = try await ctx.call(Contacts.consents, GetContactRequest(id: contactID))

        var timeline = TimelineRequest(contactID: contactID, pageSize: page)
        repeat {
            let entries = try await ctx.call(Deals.timeline, timeline)
            data.timeline += entries.entries
            timeline.beforeID = entries.nextBeforeID
        } while timeline.beforeID != nil && data.timeline.count < sectionLimit

        data.deals = try await deals(ctx, contactID: contactID, upTo: sectionLimit)
        for deal in data.deals.prefix(sectionLimit) where data.appointments.count < sectionLimit {
            data.appointments += try await ctx.call(Scheduling.dealAppointments, GetDealAppointmentsRequest(dealID: deal.id)).appointments
        }

        for phone in Set(data.contact.phones.map(\.number)).sorted() where data.calls.count < sectionLimit {
            var calls = ListCallsRequest(clientNumber: phone, pageSize: page)
            repeat {
                let found = try await CallsRoutes.list(ctx, calls)
                data.calls += found.calls
                calls.cursor = found.nextCursor
            } while !calls.cursor.isEmpty && data.calls.count < sectionLimit
        }

        var conversations = ListConversationsRequest(cursor: "", pageSize: page, contactID: contactID)
        repeat {
            let found = try await ctx.call(Notifications.listConversations, conversations)
            data.conversations += found.conversations
            conversations.cursor = found.nextCursor
        } while !conversations.cursor.isEmpty && data.conversations.count < sectionLimit
        for conversation in data.conversations where data.messages.count < sectionLimit {
            var messages = ConversationMessagesRequest(conversationID: conversation.id, pageSize: page)
            repeat {
                let found = try await ctx.call(Notifications.conversationMessages, messages)
                data.messages += found.messages
                messages.cursor = found.nextCursor
            } while !messages.cursor.isEmpty && data.messages.count < sectionLimit
        }

        data.sends = try await byID(\.id) { before in
            try await ctx.call(Notifications.listSends, ListOutboundMessagesRequest(contactID: contactID, beforeID: before, pageSize: page)).sends
        }
        data.payments = try await byID(\.id) { after in
            try await ctx.call(Billing.listPayments, ListPaymentsRequest(contactID: contactID, afterID: after, pageSize: page)).payments
        }
        data.subscriptions = try await byID(\.id) { after in
            try await ctx.call(Billing.listSubscriptions, ListSubscriptionsRequest(contactID: contactID, afterID: after, pageSize: page)).subscriptions
        }
        data.balances = try await ctx.call(Billing.balances, BalanceRequest(contactID: contactID)).balances
        data.schedule = try await ctx.call(Scheduling.contactSchedule, ContactScheduleRequest(contactID: contactID))
        data.optOuts = try await ctx.call(Notifications.contactOptOuts, ContactOptOutsRequest(contactID: contactID)).optOuts
        for deal in data.deals.prefix(sectionLimit) {
            data.surveys += try await ctx.call(Notifications.listSurveys, ListSurveysRequest(dealID: deal.id, pageSize: 500)).surveys
            if let offer = try await RPCError.nilIfNotFound({ try await ctx.call(Billing.getOffer, GetOfferRequest(dealID: deal.id)) }) { data.offers.append(offer) }
        }
        if let replicas = ctx.api.telephony {
            for phone in Set(data.contact.phones.map(\.number)).sorted() {
                let pages = try await ctx.callEvery(Telephony.listDoNotCall, ListDoNotCallRequest(phone: phone), of: replicas)
                data.doNotCall += pages.flatMap(\.entries)
            }
        }
        let person = ErasePersonRequest(contactID: contactID, phones: data.contact.phones.map(\.number), emails: data.contact.emails)
        data.hooks = try await ctx.api.webhooks?.hooks.naming(person.needles, limit: sectionLimit + 1) ?? []

        var incomplete: [String] = []
        func cut<T>(_ name: String, _ items: inout [T]) {
            guard items.count > sectionLimit || items.count == sectionLimit else { return }
            if items.count > sectionLimit { items.removeLast(items.count - sectionLimit) }
            incomplete.append(name)
        }
        cut("timeline", &data.timeline)
        cut("deals", &data.deals)
        cut("appointments", &data.appointments)
        cut("calls", &data.calls)
        cut("conversations", &data.conversations)
        cut("messages", &data.messages)
        cut("sends", &data.sends)
        cut("payments", &data.payments)
        cut("subscriptions", &data.subscriptions)
        cut("surveys", &data.surveys)
        cut("offers", &data.offers)
        cut("hooks", &data.hooks)
        data.incomplete = incomplete
        data.exportedAtMilliseconds = Int64(Date().timeIntervalSince1970 * 1000)
        return data
    }

    /// The person's deals, page by page, until `limit` (one past the section's, to tell a cut).
    static func deals(_ ctx: RequestContext, contactID: Int64, upTo limit: Int) async throws -> [Deal] {
        var deals: [Deal] = []
        var request = ListDealsRequest(contactID: contactID, pageSize: page)
        repeat {
            let found = try await ctx.call(Deals.listDeals, request)
            deals += found.deals
            request.cursor = found.nextCursor
        } while !request.cursor.isEmpty && deals.count < limit
        return deals
    }

    /// Every page of a list paged by the last id seen (`before` or `after` it, as `fetch`
    /// asks), until a short page or past the section's limit.
    static func byID<T>(_ id: (T) -> Int64, _ fetch: (Int64?) async throws -> [T]) async throws -> [T] {
        var all: [T] = [], last: Int64?
        while all.count < sectionLimit {
            let found = try await fetch(last)
            all += found
            guard found.count == Int(page), let end = found.last else { break }
            last = id(end)
        }
        return all
    }
}
