import Contracts
import Foundation
import RPC
import Wire

/// What a stored hook becomes: one call to the service that owns what it reports. The
/// translation is the provider's adapter's; the rules are the service's.
enum HookDelivery: Sendable {
    case attendance(AttendanceReport)
    case call(CallReport)
    case payment(PaymentReport)
    /// Consecutive payments, one call (issue 30: a backlog drains at the intake's rate).
    case payments([PaymentReport])
    case subscription(SubscriptionReport)
    case reply(InboundReply)
    case deliveryStatus(DeliveryStatusReport)
    case messages(InboundMessages)
    /// G7: a change in the CRM Switchboard runs beside (amoCRM, Bitrix24), applied by ``CRMMirror``.
    case mirror(MirrorHook)

    /// Translates a hook of `kind`; a refusal is kept with the hook.
    /// `origin`: how it came ("webhook", "webhook:pay" for a CloudPayments URL with ?type=pay, "pull").
    /// `numbers`: how this deployment reads call numbers (nil without telephony).
    /// `paymentOpens`: the integration's word on what a paid payment opens (B3).
    static func translate(
        _ kind: IntegrationKind, contentType: String = "", body: [UInt8], origin: String = "webhook", numbers: CallNumber? = nil,
        paymentOpens: PaymentOpens = .unspecified, integrationID: Int64 = 0
    ) throws(HookRefusal) -> HookDelivery {
        switch kind {
        case .timepad:
            return .attendance(try TimepadAdapter.report(fromHook: try utf8(body, contentType: contentType)))
        case .ringostat:
            guard let numbers else { throw HookRefusal("this gateway has no telephony replicas configured (GATEWAY_TELEPHONY); replay the hook once it has") }
            return .call(try RingostatAdapter.report(contentType: contentType, body: try utf8(body, contentType: contentType), numbers: numbers.withoutPlus))
        case .leyka:
            var report = try LeykaAdapter.report(contentType: contentType, body: try utf8(body, contentType: contentType))
            report.opens = paymentOpens
            return .payment(report)
        case .cloudpayments:
            let type = origin.split(separator: ":", maxSplits: 1).dropFirst().first.map(String.init)
            return try CloudPaymentsAdapter.delivery(contentType: contentType, body: try utf8(body, contentType: contentType), type: type, paymentOpens: paymentOpens)
        case .telegram:
            return try TelegramAdapter.delivery(fromUpdate: try utf8(body, contentType: contentType))
        case .smsru:
            return .deliveryStatus(try SMSRuAdapter.report(body: try utf8(body, contentType: contentType)))
        case .whatsapp:
            return try WhatsAppAdapter.delivery(body: try utf8(body, contentType: contentType))
        case .amocrm, .bitrix24:
            return .mirror(try MirrorHook.parse(kind, integrationID: integrationID, contentType: contentType, body: try utf8(body, contentType: contentType)))
        case .unspecified:
            throw HookRefusal("no service takes \(kind.name) hooks yet; it is kept and can be replayed then")
        }
    }

    /// The body in UTF-8: Russian providers and old PHP forwarders still send
    /// windows-1251 when the Content-Type says so; without a charset it is taken as
    /// UTF-8 (and refused later if it is not).
    static func utf8(_ body: [UInt8], contentType: String) throws(HookRefusal) -> [UInt8] {
        let charset = contentType.split(separator: ";").dropFirst()
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            .first { $0.hasPrefix("charset=") }?.dropFirst(8).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) ?? "utf-8"
        let encoding: String.Encoding
        switch charset {
        case "utf-8", "utf8": return body
        case "windows-1251", "cp1251": encoding = .windowsCP1251
        case "iso-8859-1", "latin1": encoding = .isoLatin1
        default: throw HookRefusal("the body's charset \(charset) is not one the gateway reads (utf-8, windows-1251, iso-8859-1)")
        }
        guard let text = String(data: Data(body), encoding: encoding) else { throw HookRefusal("the body is not valid \(charset)") }
        return Array(text.utf8)
    }

    /// This and `next` as one call, when they can be (attendance of the same event, no
    /// ticket twice: the service applies a report in one transaction, in order).
    func merging(_ next: HookDelivery) -> HookDelivery? {
        var merged = self
        return merged.absorb(next) ? merged : nil
    }

    /// Takes `next` into this call when they can be one (see ``merging(_:)``); false, and
    /// unchanged, when not. A backlog's batch grows in place: each list is taken out of
    /// `self` before it grows, so appending never copies it (building a new batch per hook
    /// copied 500 payment reports per hook, most of the relay's CPU in a burst).
    mutating func absorb(_ next: HookDelivery) -> Bool {
        guard canTake(next) else { return false }
        switch next {
        case let .payment(b):
            if case let .payment(a) = self {
                self = .payments([a, b])
            } else if case var .payments(list) = self {
                self = .payments([])
                list.append(b)
                self = .payments(list)
            }
        case let .messages(b):
            guard case var .messages(a) = self else { return false }
            self = .payments([])
            a.messages += b.messages
            if let more = b.statuses {
                var statuses = a.statuses ?? DeliveryStatusReport(channel: more.channel)
                statuses.updates += more.updates
                a.statuses = statuses
            }
            self = .messages(a)
        case let .attendance(b):
            guard case var .attendance(a) = self else { return false }
            self = .payments([])
            a.attendees += b.attendees
            self = .attendance(a)
        default:
            return false
        }
        return true
    }

    /// Whether `next` can join this call: the same kind, within the call's limits, in an
    /// order the service applies as one (attendance of one event, no ticket twice).
    private func canTake(_ next: HookDelivery) -> Bool {
        switch (self, next) {
        case let (.messages(a), .messages(b)):
            // A burst of messages goes in calls of up to InboundMessages.limit, in order (notifications files them in one pass).
            return a.messages.count + b.messages.count <= InboundMessages.limit
                && (a.statuses?.updates.count ?? 0) + (b.statuses?.updates.count ?? 0) <= 1000
                && (b.statuses == nil || a.statuses == nil || a.statuses?.channel == b.statuses?.channel)
        case (.payment, .payment):
            return true
        case let (.payments(list), .payment):
            return list.count < PaymentReports.limit
        case let (.attendance(a), .attendance(b)):
            guard a.source == b.source, a.eventID == b.eventID, a.eventTitle == b.eventTitle,
                a.eventStartsAtMilliseconds == b.eventStartsAtMilliseconds,
                a.attendees.count + b.attendees.count <= 1000
            else { return false }
            let tickets = Set(a.attendees.map { $0.orderID + "\u{1F}" + $0.code })
            return b.attendees.allSatisfy { !tickets.contains($0.orderID + "\u{1F}" + $0.code) }
        case (.mirror, _), (_, .mirror), (.call, _), (_, .call), (.payment, _), (_, .payment), (.payments, _), (_, .payments), (.subscription, _), (_, .subscription),
            (.reply, _), (_, .reply), (.deliveryStatus, _), (_, .deliveryStatus),
            (.messages, _), (_, .messages):
            return false
        }
    }

    /// Where it goes, and the name the relay holds that destination's hooks under while
    /// it does not answer: contacts, or the telephony replica owning the call's number.
    func target(_ targets: HookTargets) throws(HookRefusal) -> (key: String, client: RPCClient) {
        switch self {
        case .attendance:
            return ("contacts", targets.service(Contacts.service))
        case .payment, .payments, .subscription:
            return ("billing", targets.service(Billing.service))
        case .reply, .deliveryStatus, .messages:
            return ("notifications", targets.service(Notifications.service))
        case .mirror:
            // Deals keeps what a CRM's hooks change (contacts is asked first): they wait in order with deals.
            return ("deals", targets.service(Deals.service))
        case let .call(report):
            guard let telephony = targets.telephony else { throw HookRefusal("this gateway has no telephony replicas configured (GATEWAY_TELEPHONY); replay the hook once it has") }
            guard let number = telephony.numbers.normalize(report.clientNumber) else { throw HookRefusal("the client's number \"\(report.clientNumber)\" is not a phone number") }
            let replica = telephony.replica(number)
            return ("telephony/\(replica.name)", replica.client)
        }
    }

    func send(with client: RPCClient, options: CallOptions) async throws(RPCError) {
        switch self {
        case let .attendance(report): _ = try await client.call(Contacts.recordAttendance, report, options: options)
        case let .call(report): _ = try await client.call(Telephony.recordCall, report, options: options)
        case let .payment(report): _ = try await client.call(Billing.recordPayment, report, options: options)
        case let .payments(reports): _ = try await client.call(Billing.recordPayments, PaymentReports(reports: reports), options: options)
        case let .subscription(report): _ = try await client.call(Billing.recordSubscription, report, options: options)
        case let .reply(reply): _ = try await client.call(Notifications.recordReply, reply, options: options)
        case let .deliveryStatus(report): _ = try await client.call(Notifications.recordDeliveryStatus, report, options: options)
        case let .messages(batch): _ = try await client.call(Notifications.recordMessages, batch, options: options)
        case .mirror: throw RPCError.internal("a CRM's hook is applied by CRMMirror, not sent as one call")
        }
    }
}
