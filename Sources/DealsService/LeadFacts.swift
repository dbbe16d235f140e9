import Contracts

/// D7: what the lead report knows of one lead, and so which counters it adds to. A
/// change to a lead (low quality, its first attempt, an offer, a win, its operator) is a
/// new `LeadFacts`; the report applies `new − old`, so every counter stays the sum of
/// its leads' facts whatever order things happen in, and a repeat changes nothing.
public struct LeadFacts: Equatable, Sendable {
    /// The report day the lead came on (its cohort).
    public var day: Int64
    public var partner = ""
    public var source = ""
    public var region = ""
    public var product = ""
    /// The operator who made the offer, else who made the first attempt.
    public var operatorID: Int64?
    public var lowQuality = false
    /// Seconds from the lead to its first call attempt.
    public var firstAttemptSeconds: Int64?
    /// Its deal reached an offer (a won deal did).
    public var offered = false
    public var won = false
    // Issue 26 item 3: where it came from, and what the deal it opened brought.
    public var utmSource = ""
    public var utmMedium = ""
    public var utmCampaign = ""
    public var trackingNumber = ""
    /// It opened its deal (a lead joining an open deal did not).
    public var opened = false
    /// What its deal brought, when it opened it: paid, else its amount once won.
    public var revenueMinor: Int64 = 0
    public var currency = ""

    public init(day: Int64) {
        self.day = day
    }

    /// What one lead adds to one group's counters.
    public struct Counts: Equatable, Sendable {
        public var leads: Int64 = 0
        public var lowQuality: Int64 = 0
        public var attempted: Int64 = 0
        public var offers: Int64 = 0
        public var won: Int64 = 0
        public var opened: Int64 = 0
        /// Deals it opened that were won (``won`` counts every lead of a won deal).
        public var dealsWon: Int64 = 0

        public init(leads: Int64 = 0, lowQuality: Int64 = 0, attempted: Int64 = 0, offers: Int64 = 0, won: Int64 = 0, opened: Int64 = 0, dealsWon: Int64 = 0) {
            (self.leads, self.lowQuality, self.attempted, self.offers, self.won, self.opened, self.dealsWon) = (leads, lowQuality, attempted, offers, won, opened, dealsWon)
        }

        static func + (a: Counts, b: Counts) -> Counts {
            Counts(
                leads: a.leads + b.leads, lowQuality: a.lowQuality + b.lowQuality, attempted: a.attempted + b.attempted, offers: a.offers + b.offers,
                won: a.won + b.won, opened: a.opened + b.opened, dealsWon: a.dealsWon + b.dealsWon)
        }
        static prefix func - (a: Counts) -> Counts {
            Counts(leads: -a.leads, lowQuality: -a.lowQuality, attempted: -a.attempted, offers: -a.offers, won: -a.won, opened: -a.opened, dealsWon: -a.dealsWon)
        }
        var isZero: Bool { self == Counts() }
    }

    /// One counter the lead adds to: its group in one dimension on its day.
    public struct Key: Hashable, Sendable {
        public let dimension: ReportDimension
        public let day: Int64
        public let value: String

        public init(dimension: ReportDimension, day: Int64, value: String) {
            (self.dimension, self.day, self.value) = (dimension, day, value)
        }
    }

    public var counts: Counts {
        Counts(
            leads: 1, lowQuality: lowQuality ? 1 : 0, attempted: firstAttemptSeconds == nil ? 0 : 1, offers: offered || won ? 1 : 0, won: won ? 1 : 0,
            opened: opened ? 1 : 0, dealsWon: opened && won ? 1 : 0)
    }

    public func value(_ dimension: ReportDimension) -> String {
        switch dimension {
        case .partner: partner
        case .source: source
        case .geography: region
        case .product: product
        case .operator: operatorID.map(String.init) ?? ""
        case .utmSource: utmSource
        case .utmMedium: utmMedium
        case .utmCampaign: utmCampaign
        case .trackingNumber: trackingNumber
        case .unspecified: ""
        }
    }

    public static let dimensions: [ReportDimension] = [.partner, .operator, .source, .geography, .product, .utmSource, .utmMedium, .utmCampaign, .trackingNumber]

    /// One revenue counter: a group's revenue in one currency.
    public struct RevenueKey: Hashable, Sendable {
        public let key: Key
        public let currency: String
    }

    /// The change to every revenue counter from `old` to `new` (only a lead that opened its deal carries revenue).
    public static func revenueChanges(from old: LeadFacts?, to new: LeadFacts) -> [RevenueKey: Int64] {
        var changes: [RevenueKey: Int64] = [:]
        for (facts, sign) in [(old, Int64(-1)), (new, 1)] {
            guard let facts, facts.opened, facts.revenueMinor != 0 else { continue }
            for dimension in dimensions {
                let key = RevenueKey(key: Key(dimension: dimension, day: facts.day, value: facts.value(dimension)), currency: facts.currency)
                changes[key, default: 0] += sign * facts.revenueMinor
            }
        }
        return changes.filter { $0.value != 0 }
    }

    /// The change to every counter from `old` (nil: a new lead) to `new`; zero changes left out.
    public static func changes(from old: LeadFacts?, to new: LeadFacts) -> (counts: [Key: Counts], delays: [DelayKey: Int64]) {
        var counts: [Key: Counts] = [:]
        var delays: [DelayKey: Int64] = [:]
        for (facts, sign) in [(old, Int64(-1)), (new, 1)] {
            guard let facts else { continue }
            for dimension in dimensions {
                let key = Key(dimension: dimension, day: facts.day, value: facts.value(dimension))
                counts[key, default: Counts()] = counts[key, default: Counts()] + (sign < 0 ? -facts.counts : facts.counts)
                if let seconds = facts.firstAttemptSeconds {
                    delays[DelayKey(key: key, bucket: DelayHistogram.bucket(seconds)), default: 0] += sign
                }
            }
        }
        return (counts.filter { !$0.value.isZero }, delays.filter { $0.value != 0 })
    }

    /// One bucket of a group's time-to-first-attempt histogram.
    public struct DelayKey: Hashable, Sendable {
        public let key: Key
        public let bucket: Int64
    }
}
