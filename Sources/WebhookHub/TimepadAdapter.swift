import Contracts
import Foundation
import JSON

/// Why a stored hook cannot become a call to its service; kept with the hook.
public struct HookRefusal: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Timepad's formats, translated only (C5's rules stay in contacts). A ticket hook
/// (`id` "<order>:<code>", `event_id`, `order_id`, `status_raw`/`status`, `email`,
/// `surname`, `name`, `attended`, `code`, `event_name`, `answers[]`, `hook_resend`)
/// becomes an attendance report of one attendee. The orders API
/// (`GET /v1/events/{event_id}/orders` → `{total, values: [order]}`, each order with
/// `id`, `status` {`name`}, `mail`, `event` {`id`, `name`} and `tickets[]` {`number`,
/// `answers` {`surname`, `name`, `mail`}}) is turned into the same hook bodies, so a
/// resync goes the webhook's way; a hook carrying an order object is read the same way.
/// Numbers and strings are taken alike: Timepad sends ids both ways.
enum TimepadAdapter {
    static func report(fromHook body: [UInt8]) throws(HookRefusal) -> AttendanceReport {
        let hook = try object(body)
        // Issue 22 item 8: some receivers are sent the order object itself — every ticket of it.
        if case .array? = hook["tickets"] { return try report(fromOrder: hook) }
        return try report(fromTicket: hook)
    }

    /// An order hook (`{id, status: {name}, mail, event: {id, name}, tickets: [...]}`):
    /// one attendee per ticket, each read as its own ticket hook would be.
    static func report(fromOrder order: JSONObject) throws(HookRefusal) -> AttendanceReport {
        var eventID = text(order["event_id"]) ?? ""
        if case let .object(event)? = order["event"], let id = text(event["id"]) { eventID = id }
        guard !eventID.isEmpty else { throw HookRefusal("the Timepad order has no event id") }
        let tickets = ticketHooks(ofOrder: order, eventID: eventID)
        guard !tickets.isEmpty else { throw HookRefusal("the Timepad order has no tickets") }
        guard tickets.count <= 1000 else { throw HookRefusal("the Timepad order has \(tickets.count) tickets; at most 1000 are taken in one hook") }
        var whole = try report(fromTicket: try object(tickets[0]))
        for ticket in tickets.dropFirst() { whole.attendees += try report(fromTicket: try object(ticket)).attendees }
        return whole
    }

    static func report(fromTicket hook: JSONObject) throws(HookRefusal) -> AttendanceReport {
        var attendee = Attendee()
        attendee.orderID = text(hook["order_id"]) ?? text(hook["id"]).flatMap { $0.split(separator: ":").first.map(String.init) } ?? ""
        attendee.code = text(hook["code"]) ?? text(hook["id"]).flatMap { $0.split(separator: ":").dropFirst().first.map(String.init) } ?? ""
        attendee.status = text(hook["status_raw"]) ?? text(hook["status"]) ?? ""
        let answers = answerValues(hook["answers"])
        attendee.email = text(hook["email"]) ?? text(hook["mail"]) ?? answers["mail"] ?? answers["email"] ?? ""
        attendee.surname = text(hook["surname"]) ?? answers["surname"] ?? ""
        attendee.name = text(hook["name"]) ?? answers["name"] ?? ""
        attendee.phone = text(hook["phone"]) ?? answers["phone"] ?? ""
        attendee.attended = flag(hook["attended"])
        var report = AttendanceReport()
        report.source = "timepad"
        report.eventID = text(hook["event_id"]) ?? ""
        report.eventTitle = text(hook["event_name"]) ?? ""
        report.eventStartsAtMilliseconds = text(hook["event_starts_at"]).flatMap(RFC3339.parse)
        for (field, value) in [("event_id", report.eventID), ("order_id", attendee.orderID), ("code", attendee.code), ("status_raw", attendee.status)] where value.isEmpty {
            throw HookRefusal("the Timepad hook has no \(field)")
        }
        report.attendees = [attendee]
        return report
    }

    /// One hook body per ticket of the orders page (`values`), the `total` Timepad
    /// reports, and how many orders the page listed.
    static func hookBodies(fromOrders body: [UInt8], eventID: String) throws(HookRefusal) -> (bodies: [[UInt8]], total: Int, listed: Int) {
        let page = try object(body)
        guard case let .array(orders)? = page["values"] else { throw HookRefusal("Timepad's answer has no values list") }
        var bodies: [[UInt8]] = []
        for case let .object(order) in orders { bodies += ticketHooks(ofOrder: order, eventID: eventID) }
        return (bodies, Int(text(page["total"]) ?? "") ?? orders.count, orders.count)
    }

    /// Each ticket of an order as the ticket hook Timepad would send for it.
    static func ticketHooks(ofOrder order: JSONObject, eventID: String) -> [[UInt8]] {
        var bodies: [[UInt8]] = []
        let orderID = text(order["id"]) ?? ""
        var status = text(order["status"])
        if case let .object(s)? = order["status"] { status = text(s["name"]) }
        var eventName = "", eventStarts = ""
        if case let .object(event)? = order["event"] {
            eventName = text(event["name"]) ?? ""
            eventStarts = text(event["starts_at"]) ?? ""
        }
        guard case let .array(tickets)? = order["tickets"] else { return [] }
        for case let .object(ticket) in tickets {
            var answers: [String: String] = [:]
            if case let .object(a)? = ticket["answers"] { for (k, v) in a.members { answers[k] = text(v) } }
            var out = JSONOutput()
            out.beginObject()
            let code = text(ticket["number"]) ?? text(ticket["code"]) ?? text(ticket["id"]) ?? ""
            for (key, value) in [
                ("id", "\(orderID):\(code)"), ("event_id", eventID), ("order_id", orderID), ("code", code), ("status_raw", status ?? ""),
                ("email", answers["mail"] ?? answers["email"] ?? text(order["mail"]) ?? ""), ("surname", answers["surname"] ?? ""),
                ("name", answers["name"] ?? ""), ("phone", answers["phone"] ?? ""), ("event_name", eventName),
                ("event_starts_at", eventStarts),
            ] {
                out.key(dynamic: key)
                out.string(value)
            }
            out.key("attended")
            out.bool(flag(ticket["attended"]) || flag(ticket["is_checked_in"]))
            out.endObject()
            bodies.append(out.bytes)
        }
        return bodies
    }

    /// The event ids of an events page (`{total, values: [{id, ...}]}`) and its total.
    static func eventIDs(fromEvents body: [UInt8]) throws(HookRefusal) -> (ids: [String], total: Int) {
        let page = try object(body)
        guard case let .array(events)? = page["values"] else { throw HookRefusal("Timepad's answer has no values list") }
        let ids = events.compactMap { event -> String? in
            guard case let .object(e) = event else { return nil }
            return text(e["id"])
        }
        return (ids, Int(text(page["total"]) ?? "") ?? ids.count)
    }

    static func object(_ body: [UInt8]) throws(HookRefusal) -> JSONObject {
        let value: JSONValue
        do {
            value = try JSONParser.parse(body)
        } catch {
            throw HookRefusal("the body is not JSON: \(error)")
        }
        guard case let .object(o) = value else { throw HookRefusal("the body is \(value.kindDescription), not a JSON object") }
        return o
    }

    /// A string, or a number as written; nil for anything else or an empty string.
    static func text(_ value: JSONValue?) -> String? {
        switch value {
        case let .string(s)?: s.isEmpty ? nil : s
        case let .number(n)?: n.text
        default: nil
        }
    }

    static func flag(_ value: JSONValue?) -> Bool {
        switch value {
        case let .bool(b)?: b
        case let .number(n)?: n.text != "0"
        case let .string(s)?: ["true", "1", "yes"].contains(s.lowercased())
        default: false
        }
    }

    /// `answers` as a list of {id|name|type, value} or an object of name → value.
    static func answerValues(_ value: JSONValue?) -> [String: String] {
        var out: [String: String] = [:]
        switch value {
        case let .array(items)?:
            for case let .object(a) in items {
                guard let v = text(a["value"]) else { continue }
                for key in [text(a["id"]), text(a["type"]), text(a["name"])].compactMap({ $0?.lowercased() }) where out[key] == nil { out[key] = v }
            }
        case let .object(o)?:
            for (k, v) in o.members { out[k.lowercased()] = text(v) }
        default: break
        }
        return out
    }
}
