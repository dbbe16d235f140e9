import Contracts
import FoundationEssentials
import Glibc
import ServiceKit
import Storage
import Wire

/// B2's catalogue: products (unique SKUs), price lists per currency with the dates they
/// are in force, and delivery zones with their tariffs.
public struct CatalogueStore: Sendable {
    let database: Database
    let clock: WallClock

    public init(database: Database, clock: WallClock) {
        self.database = database
        self.clock = clock
    }

    public func createProduct(_ input: Product) async throws -> Product {
        let now = clock.milliseconds
        return try await database.write { tx in
            guard try tx.queryFirst("SELECT 1 FROM products WHERE sku = ?", [.text(input.sku)], { $0.int(0) }) == nil else {
                throw RPCError(.alreadyExists, "a product has SKU \(input.sku) already")
            }
            var p = input
            p.createdAtMilliseconds = now
            return try Self.productTable.insert(tx, p)
        }
    }

    /// Issue 26: the product as the edit says (a SKU stays unique; an archived product is
    /// not edited); each changed field a line of its history.
    public func updateProduct(_ edit: ProductEdit) async throws -> Product {
        let now = clock.milliseconds
        return try await database.write { tx in
            guard let before = try Self.productTable.find(tx.connection, id: edit.productID) else {
                throw RPCError.notFound("product \(edit.productID) does not exist")
            }
            guard before.archivedAtMilliseconds == nil else { throw RPCError(.failedPrecondition, "product \(edit.productID) is archived") }
            if try tx.queryFirst("SELECT 1 FROM products WHERE sku = ? AND id != ?", [.text(edit.product.sku), .integer(before.id)], { $0.int(0) }) != nil {
                throw RPCError(.alreadyExists, "a product has SKU \(edit.product.sku) already")
            }
            var after = before
            (after.sku, after.name, after.weightGrams) = (edit.product.sku, edit.product.name, edit.product.weightGrams)
            var lines: [String] = []
            if before.sku != after.sku { lines.append("SKU \(before.sku) → \(after.sku)") }
            if before.name != after.name { lines.append("name \"\(before.name)\" → \"\(after.name)\"") }
            if before.weightGrams != after.weightGrams { lines.append("weight \(before.weightGrams) → \(after.weightGrams) g") }
            try Self.productTable.update(tx, after)
            try SetupLog.record(tx, entity: "product", id: before.id, by: SetupLog.Author(staffID: edit.actorID, credentialID: edit.credentialID), at: now, lines)
            return after
        }
    }

    /// Issue 26: no offer takes the product after; what has it keeps it. A second time changes nothing.
    public func archiveProduct(_ request: ArchiveProductRequest) async throws -> Product {
        let now = clock.milliseconds
        return try await database.write { tx in
            guard var product = try Self.productTable.find(tx.connection, id: request.productID) else {
                throw RPCError.notFound("product \(request.productID) does not exist")
            }
            guard product.archivedAtMilliseconds == nil else { return product }
            product.archivedAtMilliseconds = now
            try Self.productTable.update(tx, product)
            try SetupLog.record(
                tx, entity: "product", id: product.id, by: SetupLog.Author(staffID: request.actorID, credentialID: request.credentialID), at: now,
                ["archived"])
            return product
        }
    }

    public func productHistory(_ id: Int64) async throws -> SetupHistory {
        try await database.read { c in
            guard try Self.productTable.find(c, id: id) != nil else { throw RPCError.notFound("product \(id) does not exist") }
            return try SetupLog.history(c, entity: "product", id: id)
        }
    }

    public func listProducts(_ request: ListProductsRequest) async throws -> ProductList {
        let page = try PageRequest(size: request.pageSize, default: 100, maximum: 500)
        return try await database.read { c in
            ProductList(products: try c.query(
                "SELECT \(Self.productTable.selection()) FROM products WHERE id > ? ORDER BY id LIMIT ?", [.integer(request.afterID ?? 0), .integer(Int64(page.limit))],
                Self.productTable.message))
        }
    }

    static func products(_ c: Connection, _ ids: Set<Int64>) throws -> [Int64: Product] {
        var out: [Int64: Product] = [:]
        for id in ids {
            if let p = try productTable.find(c, id: id) { out[id] = p }
        }
        return out
    }

    public func createPriceList(_ input: PriceList) async throws -> PriceList {
        let named = try Self.checkPriceList(input)
        let now = clock.milliseconds
        return try await database.write { tx in
            try Self.requireProducts(tx, input, named)
            var list = input
            list.createdAtMilliseconds = now
            return try Self.priceListTable.insert(tx, list)
        }
    }

    /// Issue 26: a price list replaced (its prices, dates, name; its currency stays). An offer
    /// put after it takes the new prices; a confirmed one keeps the prices it froze. Ending
    /// its `activeTo` retires it. Each change a line of its history.
    public func updatePriceList(_ input: PriceList, by author: SetupLog.Author) async throws -> PriceList {
        let named = try Self.checkPriceList(input)
        let now = clock.milliseconds
        return try await database.write { tx in
            guard let before = try Self.priceListTable.find(tx.connection, id: input.id) else { throw RPCError.notFound("price list \(input.id) does not exist") }
            guard before.currency == input.currency else {
                throw RPCError.invalidArgument("a price list keeps its currency", details: [FieldViolation(field: "currency", description: "is \(before.currency): make a new list for \(input.currency)")])
            }
            try Self.requireProducts(tx, input, named)
            var list = input
            list.createdAtMilliseconds = before.createdAtMilliseconds
            try Self.priceListTable.update(tx, list)
            var lines: [String] = []
            if before.name != list.name { lines.append("name \"\(before.name)\" → \"\(list.name)\"") }
            if before.activeFrom != list.activeFrom || before.activeTo != list.activeTo {
                lines.append("in force \(before.activeFrom.isEmpty ? "always" : before.activeFrom)–\(before.activeTo.isEmpty ? "open" : before.activeTo) → "
                    + "\(list.activeFrom.isEmpty ? "always" : list.activeFrom)–\(list.activeTo.isEmpty ? "open" : list.activeTo)")
            }
            let old = Dictionary(before.prices.map { ($0.productID, $0.unitMinor) }, uniquingKeysWith: { a, _ in a })
            for price in list.prices where old[price.productID] != price.unitMinor {
                lines.append("product \(price.productID): \(old[price.productID].map { Money.plain($0, list.currency) } ?? "not priced") → \(Money.plain(price.unitMinor, list.currency)) \(list.currency)")
            }
            for (product, _) in old where !list.prices.contains(where: { $0.productID == product }) { lines.append("product \(product): no longer priced") }
            try SetupLog.record(tx, entity: "price_list", id: list.id, by: author, at: now, lines)
            return list
        }
    }

    public func priceListHistory(_ id: Int64) async throws -> SetupHistory {
        try await database.read { c in
            guard try Self.priceListTable.find(c, id: id) != nil else { throw RPCError.notFound("price list \(id) does not exist") }
            return try SetupLog.history(c, entity: "price_list", id: id)
        }
    }

    /// A list's own mistakes, every one; the products it names.
    static func checkPriceList(_ input: PriceList) throws -> Set<Int64> {
        var v: [FieldViolation] = []
        let from = input.activeFrom.isEmpty ? nil : CivilDate(parsing: input.activeFrom)
        let to = input.activeTo.isEmpty ? nil : CivilDate(parsing: input.activeTo)
        if !input.activeFrom.isEmpty && from == nil { v.append(FieldViolation(field: "activeFrom", description: "is not a date")) }
        if !input.activeTo.isEmpty && to == nil { v.append(FieldViolation(field: "activeTo", description: "is not a date")) }
        if let from, let to, to < from { v.append(FieldViolation(field: "activeTo", description: "is before activeFrom")) }
        if Money.exponents[input.currency] == nil { v.append(FieldViolation(field: "currency", description: "\(input.currency) is not a currency this service knows")) }
        var seen: Set<Int64> = []
        for (i, p) in input.prices.enumerated() where !seen.insert(p.productID).inserted {
            v.append(FieldViolation(field: "prices[\(i)].productId", description: "product \(p.productID) is priced twice"))
        }
        guard v.isEmpty else { throw RPCError.invalidArgument("the price list is not valid", details: v) }
        return seen
    }

    static func requireProducts(_ tx: Transaction, _ input: PriceList, _ named: Set<Int64>) throws {
        let known = try products(tx.connection, named)
        let unknown = input.prices.enumerated().filter { known[$0.element.productID] == nil }
        guard unknown.isEmpty else {
            throw RPCError.invalidArgument("the price list names products that do not exist", details: unknown.map {
                FieldViolation(field: "prices[\($0.offset)].productId", description: "product \($0.element.productID) does not exist")
            })
        }
    }

    public func listPriceLists() async throws -> PriceListList {
        try await database.read { c in
            PriceListList(priceLists: try Self.priceListTable.list(c))
        }
    }

    /// The newest price list in `currency` in force on `date` (YYYY-MM-DD, which sorts as text).
    static func priceList(_ c: Connection, currency: String, on date: String) throws -> PriceList? {
        try c.queryFirst(
            """
            SELECT \(priceListTable.selection()) FROM price_lists
            WHERE currency = ? AND (active_from = '' OR active_from <= ?) AND (active_to = '' OR active_to >= ?) ORDER BY id DESC LIMIT 1
            """,
            [.text(currency), .text(date), .text(date)], priceListTable.message)
    }

    public func createZone(_ input: DeliveryZone) async throws -> DeliveryZone {
        var v: [FieldViolation] = []
        if input.matches.allSatisfy({ DeliveryQuote.fold($0).isEmpty }) { v.append(FieldViolation(field: "matches", description: "name at least one address fragment")) }
        for (i, t) in input.tariffs.enumerated() {
            if let max = t.maxOrderMinor, max < t.minOrderMinor { v.append(FieldViolation(field: "tariffs[\(i)].maxOrderMinor", description: "is below minOrderMinor")) }
        }
        if Set(input.tariffs.map(\.name)).count != input.tariffs.count { v.append(FieldViolation(field: "tariffs", description: "two tariffs have the same name")) }
        guard v.isEmpty else { throw RPCError.invalidArgument("the zone is not valid", details: v) }
        return try await database.write { tx in
            guard try tx.queryFirst("SELECT 1 FROM zones WHERE name = ?", [.text(input.name)], { $0.int(0) }) == nil else {
                throw RPCError(.alreadyExists, "a zone is named \(input.name) already")
            }
            return try Self.zoneTable.insert(tx, input)
        }
    }

    public func listZones() async throws -> DeliveryZoneList {
        try await database.read { c in DeliveryZoneList(zones: try Self.zones(c)) }
    }

    static func zones(_ c: Connection) throws -> [DeliveryZone] {
        try zoneTable.list(c)
    }

    /// Products, price lists and zones are kept whole, with what queries filter on copied
    /// out (Sources/README.md, "Storage").
    static let productTable = MessageTable<Product>("products", body: "product", id: \.id, setID: { $0.id = $1 }, columns: [.init("sku") { .text($0.sku) }])
    static let priceListTable = MessageTable<PriceList>(
        "price_lists", body: "list", id: \.id, setID: { $0.id = $1 },
        columns: [.init("currency") { .text($0.currency) }, .init("active_from") { .text($0.activeFrom) }, .init("active_to") { .text($0.activeTo) }])
    static let zoneTable = MessageTable<DeliveryZone>("zones", body: "zone", id: \.id, setID: { $0.id = $1 }, columns: [.init("name") { .text($0.name) }])
}
