/// A service's methods and the event types it emits or takes, generated as the
/// `enum` callers and servers name them by (`Deals.createDeal`, `Deals.Event.won`).
public struct Service: Sendable, Equatable {
    public struct Method: Sendable, Equatable {
        /// The Swift name (`matchOrCreate`).
        public let name: String
        /// The wire name (`MatchOrCreate`).
        public let wireName: String
        public let request: String
        public let response: String
        /// Safe to run twice (the client may retry it after `unavailable`).
        public let idempotent: Bool
        public let doc: String?
        /// Who may call it besides the service's ``Service/callers``: process identities
        /// (``CallerIdentity``), `telephony` for a replica of any number.
        public let callers: [String]

        public init(
            _ name: String, _ wireName: String, _ request: String, _ response: String, idempotent: Bool = false, callers: [String] = [],
            doc: String? = nil
        ) {
            self.name = name
            self.wireName = wireName
            self.request = request
            self.response = response
            self.idempotent = idempotent
            self.callers = callers
            self.doc = doc
        }
    }

    public struct Event: Sendable, Equatable {
        public let name: String
        /// `<aggregate>.<what happened>`.
        public let type: String
        /// The message the envelope's payload holds.
        public let payload: String
        public let doc: String?

        public init(_ name: String, _ type: String, payload: String, doc: String? = nil) {
            self.name = name
            self.type = type
            self.payload = payload
            self.doc = doc
        }

        /// The doc comment: the payload first, then what the declaration says.
        public var fullDoc: String {
            "Payload ``\(payload)``." + (doc.map { " " + $0 } ?? "")
        }
    }

    public enum Member: Sendable, Equatable {
        case method(Method)
        case event(Event)
    }

    /// The Swift enum's name (`Contacts`).
    public let name: String
    /// The service's name on the wire (`switchboard.contacts.Contacts`).
    public let id: String
    public let doc: String?
    public let methods: [Method]
    public let events: [Event]
    /// Who may call every method of the service (each method may add more).
    public let callers: [String]
    /// The doc comment of the nested `Event` enum.
    public let eventsDoc: String?

    public init(
        _ name: String, id: String, callers: [String] = [], doc: String? = nil, eventsDoc: String? = nil, @MemberBuilder members: () -> [Member]
    ) {
        self.name = name
        self.id = id
        self.callers = callers
        self.doc = doc
        self.eventsDoc = eventsDoc
        let all = members()
        methods = all.compactMap { if case let .method(m) = $0 { m } else { nil } }
        events = all.compactMap { if case let .event(e) = $0 { e } else { nil } }
    }

    /// Who may call `method`: the service's callers and the method's own, sorted.
    public func callers(of method: Method) -> [String] {
        Array(Set(callers + method.callers)).sorted()
    }
}

/// The identities a caller can have: the name of the process it is, as its certificate
/// names it (issue 24) and as it sends in `caller` metadata today, or `*` for anyone (the
/// diagnostic echo). `TopologyTests` holds the services' names equal to
/// `Topology.Process`.
public enum CallerIdentity {
    public static let gateway = "gateway"
    public static let anyone = "*"
    public static let services = ["contacts", "deals", "telephony", "scheduling", "billing", "notifications"]
    public static let all = [gateway] + services
}

@resultBuilder
public enum MemberBuilder {
    public static func buildExpression(_ m: Service.Method) -> [Service.Member] { [.method(m)] }
    public static func buildExpression(_ e: Service.Event) -> [Service.Member] { [.event(e)] }
    public static func buildBlock(_ parts: [Service.Member]...) -> [Service.Member] { parts.flatMap { $0 } }
}
