import Contracts
import FoundationEssentials
import Glibc
import ServiceKit
import Storage
import Wire

/// B2: one offer per deal. Saving prices its lines from the price list in force for its
/// currency (today, UTC) and quotes delivery for its address's zone; confirming freezes it
/// with the chosen option and emits offer.confirmed in the same transaction.
public struct OfferStore: Sendable {
    let database: Database
    let clock: WallClock

    public init(database: Database, clock: WallClock) {
        self.database = database
        self.clock = clock
    }

    public func put(_ input: Offer) async throws -> Offer {
        guard Money.exponents[input.currency] != nil else {
            throw RPCError.invalidArgument("\(input.currency) is not a currency this service knows", details: [FieldViolation(field: "currency", description: "is unknown")])
        }
        let now = clock.milliseconds
        let today = CivilDate(day: CivilDate.floorDivide(now, 86_400_000)).text
        return try await database.write { tx in
            let c = tx.connection
            if let existing = try Self.load(c, input.dealID), existing.status == .confirmed {
                throw RPCError(.failedPrecondition, "deal \(input.dealID)'s offer was confirmed: its lines are frozen")
            }
            guard let list = try CatalogueStore.priceList(c, currency: input.currency, on: today) else {
                throw RPCError.invalidArgument("no \(input.currency) price list is in force on \(today)", details: [FieldViolation(field: "currency", description: "has no price list in force")])
            }
            let products = try CatalogueStore.products(c, Set(input.lines.map(\.productID)))
            // Issue 26: an archived product is sold no more (a confirmed offer keeps its lines, frozen above).
            let archived = input.lines.enumerated().filter { products[$0.element.productID]?.archivedAtMilliseconds != nil }.map {
                FieldViolation(field: "lines[\($0.offset)].productId", description: "product \($0.element.productID) is archived: it is sold no more")
            }
            guard archived.isEmpty else { throw RPCError.invalidArgument("the offer names archived products", details: archived) }
            let prices = Dictionary(list.prices.map { ($0.productID, $0.unitMinor) }, uniquingKeysWith: { a, _ in a })
            let priced = try OfferTotals.price(input.lines, currency: input.currency, unitPrices: prices, products: products)
            var offer = Offer(dealID: input.dealID, currency: input.currency, lines: priced.lines, address: input.address.trimming(.spacesAndNewlines))
            (offer.subtotalMinor, offer.discountMinor, offer.totalMinor, offer.weightGrams) = (priced.subtotalMinor, priced.discountMinor, priced.totalMinor, priced.weightGrams)
            if let zone = DeliveryQuote.zone(for: offer.address, in: try CatalogueStore.zones(c)) {
                offer.zoneID = zone.id
                offer.zoneName = zone.name
                // A zone's tariffs are in its own currency: offered only for offers in it.
                offer.deliveryOptions = zone.currency == offer.currency ? DeliveryQuote.options(zone, totalMinor: offer.totalMinor, weightGrams: offer.weightGrams) : []
            }
            offer.status = .draft
            offer.priceListID = list.id
            offer.updatedAtMilliseconds = now
            offer.by = input.by
            (offer.contactID, offer.pipelineID, offer.responsibleID) = (input.contactID, input.pipelineID, input.responsibleID)
            try Self.save(tx, offer)
            return offer
        }
    }

    public func get(_ dealID: Int64) async throws -> Offer {
        guard let offer = try await database.read({ c in try Self.load(c, dealID) }) else { throw RPCError.notFound("deal \(dealID) has no offer") }
        return offer
    }

    public func confirm(_ request: ConfirmOfferRequest) async throws -> Offer {
        let now = clock.milliseconds
        return try await database.write { tx in
            guard var offer = try Self.load(tx.connection, request.dealID) else { throw RPCError.notFound("deal \(request.dealID) has no offer") }
            if offer.status == .confirmed {
                guard (offer.delivery?.tariff ?? "") == request.tariff else {
                    throw RPCError(.failedPrecondition, "the offer was confirmed with \(offer.delivery.map { "delivery \($0.tariff)" } ?? "no delivery") already")
                }
                return offer
            }
            guard !offer.lines.isEmpty else { throw RPCError(.failedPrecondition, "the offer has no lines") }
            if !offer.deliveryOptions.isEmpty || !request.tariff.isEmpty {
                guard let option = offer.deliveryOptions.first(where: { $0.tariff == request.tariff }) else {
                    let names = offer.deliveryOptions.map(\.tariff)
                    throw RPCError.invalidArgument(
                        names.isEmpty ? "the offer's address has no delivery options" : "choose a delivery option: \(names.joined(separator: ", "))",
                        details: [FieldViolation(field: "tariff", description: request.tariff.isEmpty ? "is missing" : "\"\(request.tariff)\" is not an option")])
                }
                offer.delivery = option
            }
            offer.status = .confirmed
            offer.confirmedAtMilliseconds = now
            offer.updatedAtMilliseconds = now
            offer.by = request.by
            try Self.save(tx, offer)
            for sku in Set(offer.lines.map(\.sku)) {
                try tx.run("INSERT OR IGNORE INTO offer_products (sku, deal_id) VALUES (?, ?)", [.text(sku), .integer(offer.dealID)])
            }
            try tx.appendEvent(type: Billing.Event.offerConfirmed, aggregateID: "deal-\(offer.dealID)", payload: offer.wireBytes())
            return offer
        }
    }

    /// Confirmed offers, by deal id.
    public func orders(_ q: OrderQuery) async throws -> OfferList {
        let page = try PageRequest(size: q.pageSize, default: 500, maximum: 10_000)
        var sql = "SELECT o.offer FROM offers o WHERE o.status = 2 AND o.deal_id > ?"
        var values: [SQLValue] = [.integer(q.afterDealID ?? 0)]
        if !q.sku.isEmpty {
            sql += " AND o.deal_id IN (SELECT deal_id FROM offer_products WHERE sku = ?)"
            values.append(.text(q.sku))
        }
        if !q.zone.isEmpty {
            sql += " AND o.zone_name = ?"
            values.append(.text(q.zone))
        }
        if let min = q.minTotalMinor {
            sql += " AND o.total >= ?"
            values.append(.integer(min))
        }
        if let max = q.maxTotalMinor {
            sql += " AND o.total <= ?"
            values.append(.integer(max))
        }
        let fragment = DeliveryQuote.fold(q.address)
        if !fragment.isEmpty {
            // `address` holds the folded address (see save).
            sql += " AND instr(o.address, ?) > 0"
            values.append(.text(fragment))
        }
        sql += " ORDER BY o.deal_id LIMIT ?"
        values.append(.integer(Int64(page.limit)))
        return try await database.read { [sql, values] c in
            OfferList(offers: try c.query(sql, values) { try Offer(wireBytes: $0.blob(0)) })
        }
    }

    static func load(_ c: Connection, _ dealID: Int64) throws -> Offer? {
        try c.queryFirst("SELECT offer FROM offers WHERE deal_id = ?", [.integer(dealID)]) { try Offer(wireBytes: $0.blob(0)) }
    }

    static func save(_ tx: Transaction, _ offer: Offer) throws {
        try tx.run(
            """
            INSERT INTO offers (deal_id, status, zone_name, address, total, offer) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (deal_id) DO UPDATE SET status = excluded.status, zone_name = excluded.zone_name, address = excluded.address, total = excluded.total, offer = excluded.offer
            """,
            [.integer(offer.dealID), .integer(Int64(offer.status.rawValue)), .text(offer.zoneName), .text(DeliveryQuote.fold(offer.address)), .integer(offer.totalMinor), .blob(offer.wireBytes())])
    }
}
