/// Who takes which events (P2), declared once. A publisher sends each subscriber the
/// types the subscriber's process takes from it; the runner, Compose, Kubernetes, CI and
/// the test stacks only say where each subscriber listens (`name@host:port`). A service
/// refuses to start when its handlers and ``takes(_:)`` disagree, and a test holds every
/// deployment file to ``subscribers(of:)``.
public enum Topology {
    /// A process that publishes or takes events; its name is its subscriber name
    /// (telephony's replicas subscribe as `telephony-0`, `telephony-1`, ...).
    public enum Process: String, Sendable, CaseIterable {
        case contacts, deals, telephony, scheduling, billing, notifications
    }

    /// The event types a process publishes: its contract's events.
    public static func publishes(_ process: Process) -> [String] {
        switch process {
        case .contacts: Contacts.Event.all
        case .deals: Deals.Event.all
        case .telephony: Telephony.Event.all
        case .scheduling: Scheduling.Event.all
        case .billing: Billing.Event.all
        case .notifications: Notifications.Event.all
        }
    }

    /// The event types a process has handlers for.
    public static func takes(_ process: Process) -> [String] {
        switch process {
        case .contacts: []
        case .deals:
            // C3: a merge re-points deals; T2–T8 calls, S2 appointments, B2–B3 payments
            // and offers on the timeline; D5 interactions from any service, staff's answers in
            // conversations and who answers them (reply tasks).
            // Issue 26: a member who leaves hands their open deals and tasks over.
            [Contacts.Event.merged, Contacts.Event.staffDeactivated,
             Telephony.Event.recorded, Telephony.Event.missed, Telephony.Event.answered, Telephony.Event.outcome,
             Scheduling.Event.booked, Scheduling.Event.moved, Scheduling.Event.cancelled, Scheduling.Event.attendanceRecorded,
             Billing.Event.paymentPaid, Billing.Event.paymentFailed, Billing.Event.paymentRefunded,
             Billing.Event.subscriptionPastDue, Billing.Event.offerConfirmed,
             Deals.Event.interactionRecorded, Notifications.Event.messageSent, Notifications.Event.conversationAssigned]
        // T10: accepted leads join the dialing queue of the replica that owns their number;
        // a member who leaves gives their leases and callbacks back (issue 26); a person who
        // withdraws consent to calls is not called (C8).
        case .telephony: [Deals.Event.leadAccepted, Contacts.Event.staffDeactivated, Contacts.Event.consentChanged]
        // S4: a trial stage enrols the contact in the deal's group; won and lost settle it.
        case .scheduling: [Deals.Event.stageChanged, Deals.Event.won, Deals.Event.lost]
        // B4–B6: group economics and prepayments.
        case .billing: [Scheduling.Event.enrolmentChanged, Scheduling.Event.attendanceRecorded, Deals.Event.won]
        // N3: every event a rule, a template or a webhook may name; a member who leaves
        // hands their conversations over (issue 26).
        case .notifications: notificationEvents + [Contacts.Event.staffDeactivated]
        }
    }

    /// The events notifications' rules, templates and outbound webhooks may name (N3).
    public static let notificationEvents = [
        Deals.Event.created, Deals.Event.stageChanged, Deals.Event.won, Deals.Event.lost, Deals.Event.updated,
        Deals.Event.taskOverdue, Deals.Event.taskAssigned, Deals.Event.leadLowQuality, Telephony.Event.missed,
        Scheduling.Event.booked, Scheduling.Event.moved, Scheduling.Event.cancelled, Scheduling.Event.reminderDue,
        Billing.Event.paymentPaid, Billing.Event.paymentFailed, Billing.Event.paymentRefunded,
        Billing.Event.subscriptionPastDue, Billing.Event.offerConfirmed,
        Deals.Event.noteMention,
    ]

    /// The processes `publisher`'s events go to, each with the types it takes from it,
    /// in ``Process`` order. A process never subscribes to itself.
    public static func subscribers(of publisher: Process) -> [(process: Process, types: [String])] {
        let published = Set(publishes(publisher))
        return Process.allCases.compactMap { process in
            guard process != publisher else { return nil }
            let types = takes(process).filter(published.contains)
            return types.isEmpty ? nil : (process, types)
        }
    }

    /// The process a subscriber name stands for: the process's own name, or a telephony
    /// replica's (`telephony-<n>`); nil for any other name (a probe, an audit sink).
    public static func process(named name: String) -> Process? {
        if let process = Process(rawValue: name) { return process }
        let parts = name.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0] == "telephony", !parts[1].isEmpty, parts[1].allSatisfy(\.isASCIIDigit) else { return nil }
        return .telephony
    }
}
