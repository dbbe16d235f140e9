import Contracts
import Foundation
import HTTP
import JSON
import RPC
import Wire

/// The catalogue, offers with delivery, payments, prepaid balances, group economics and
/// the bonus report (B1–B6). An offer belongs to a deal: a caller sees and changes it only
/// for deals it sees (G3). Payments, balances, costs and economics carry payers' details
/// and the school's figures: admins only. The bonus report: an admin sees every manager's
/// lines, a staff member only their own.
enum BillingRoutes {
    static let all: [Route] = [
        Route(
            method: "POST", path: "/v1/products", operationID: "createProduct", access: .role(.admin),
            summary: "Add a product (B2): a unique SKU, a name and its weight for delivery tariffs",
            body: Product.openAPIInputSchema, example: #"{"sku":"WIN-1200","name":"Window 1200×1400","weightGrams":35000}"#,
            answers: [Route.answer(201, "created", Product.self, headers: ["Location"])], errors: [409]
        ) { ctx in
            let product = try await ctx.call(Billing.createProduct, try ctx.body(Product.self))
            return Reply.created(product, at: "/v1/products?after=\(product.id - 1)&limit=1")
        },
        Route(
            method: "PUT", path: "/v1/products/{id}", operationID: "updateProduct", access: .role(.admin),
            summary: "Change a product's SKU, name or weight (B2, issue 26); confirmed offers keep the lines they froze",
            body: ProductEdit.openAPIInputSchema, example: #"{"sku":"WIN-1200","name":"Window 1200×1400, white","weightGrams":36000}"#,
            answers: [Route.answer(200, "the product as it is now", Product.self)], errors: [404, 409, 422]
        ) { ctx in
            var edit = try ctx.body(ProductEdit.self)
            edit.productID = try ctx.id()
            return Reply.json(200, try await ctx.call(Billing.updateProduct, edit))
        },
        Route(
            method: "POST", path: "/v1/products/{id}/archive", operationID: "archiveProduct", access: .role(.admin),
            summary: "Stop selling a product (B2, issue 26): no offer takes it after; offers, orders and reports keep it",
            answers: [Route.answer(200, "the product, archived", Product.self)], errors: [404]
        ) { ctx in
            Reply.json(200, try await ctx.call(Billing.archiveProduct, ArchiveProductRequest(productID: try ctx.id())))
        },
        Route(
            method: "GET", path: "/v1/products/{id}/history", operationID: "productHistory", access: .role(.admin),
            summary: "Every change to a product, with who made it and when (issue 26)",
            answers: [Route.answer(200, "the changes, oldest first", SetupHistory.self)], errors: [404]
        ) { ctx in
            Reply.json(200, try await ctx.call(Billing.productHistory, SetupHistoryRequest(id: try ctx.id())))
        },
        Route(
            method: "GET", path: "/v1/products", operationID: "listProducts", access: .role(.reader),
            summary: "Products by id", query: ListProductsRequest.queryParameters, answers: [Route.answer(200, "products", ProductList.self)]
        ) { ctx in
            Reply.json(200, try await ctx.call(Billing.listProducts, try ctx.query(ListProductsRequest.self)))
        },
        Route(
            method: "POST", path: "/v1/price-lists", operationID: "createPriceList", access: .role(.admin),
            summary: "A price list (B2): unit prices in minor units of one currency, in force between two dates; the newest in force prices an offer",
            body: PriceList.openAPIInputSchema, example: #"{"name":"Retail 2027","currency":"RUB","activeFrom":"2027-01-01","prices":[{"productId":1,"unitMinor":1500000}]}"#,
            answers: [Route.answer(201, "created", PriceList.self, headers: ["Location"])], errors: [422]
        ) { ctx in
            Reply.created(try await ctx.call(Billing.createPriceList, try ctx.body(PriceList.self)), at: "/v1/price-lists")
        },
        Route(
            method: "PUT", path: "/v1/price-lists/{id}", operationID: "updatePriceList", access: .role(.admin),
            summary: """
                Change a price list (B2, issue 26): its prices, dates and name (its currency stays); offers put after it take the new \
                prices, confirmed ones keep theirs; an activeTo in the past retires it
                """,
            body: PriceList.openAPIInputSchema, example: #"{"name":"Retail 2027","currency":"RUB","activeFrom":"2027-01-01","prices":[{"productId":1,"unitMinor":1600000}]}"#,
            answers: [Route.answer(200, "the list as it is now", PriceList.self)], errors: [404, 422]
        ) { ctx in
            var list = try ctx.body(PriceList.self)
            list.id = try ctx.id()
            return Reply.json(200, try await ctx.call(Billing.updatePriceList, list))
        },
        Route(
            method: "GET", path: "/v1/price-lists/{id}/history", operationID: "priceListHistory", access: .role(.admin),
            summary: "Every change to a price list, with who made it and when (issue 26)",
            answers: [Route.answer(200, "the changes, oldest first", SetupHistory.self)], errors: [404]
        ) { ctx in
            Reply.json(200, try await ctx.call(Billing.priceListHistory, SetupHistoryRequest(id: try ctx.id())))
        },
        Route(
            method: "GET", path: "/v1/price-lists", operationID: "listPriceLists", access: .role(.reader),
            summary: "Every price list", answers: [Route.answer(200, "price lists", PriceListList.self)]
        ) { ctx in
            Reply.json(200, try await ctx.call(Billing.listPriceLists, Empty()))
        },
        Route(
            method: "POST", path: "/v1/delivery-zones", operationID: "createDeliveryZone", access: .role(.admin),
            summary: "A delivery zone (B2): the address fragments that place an address in it, and its tariffs by order value and weight",
            body: DeliveryZone.openAPIInputSchema,
            example: #"{"name":"Moscow","currency":"RUB","matches":["Москва","Moscow"],"tariffs":[{"name":"courier","costMinor":50000,"leadDays":2},{"name":"free","minOrderMinor":5000000,"costMinor":0,"leadDays":3}]}"#,
            answers: [Route.answer(201, "created", DeliveryZone.self, headers: ["Location"])], errors: [409, 422]
        ) { ctx in
            Reply.created(try await ctx.call(Billing.createZone, try ctx.body(DeliveryZone.self)), at: "/v1/delivery-zones")
        },
        Route(
            method: "GET", path: "/v1/delivery-zones", operationID: "listDeliveryZones", access: .role(.reader),
            summary: "Every delivery zone with its tariffs", answers: [Route.answer(200, "zones", DeliveryZoneList.self)]
        ) { ctx in
            Reply.json(200, try await ctx.call(Billing.listZones, Empty()))
        },
        Route(
            method: "PUT", path: "/v1/deals/{id}/offer", operationID: "putOffer", access: .role(.integration),
            summary: "The deal's offer (B2): lines priced from the price list in force, discounts per line, totals, and the delivery options of the address's zone",
            body: Offer.openAPIInputSchema,
            example: #"{"currency":"RUB","lines":[{"productId":1,"quantity":2,"discountBasisPoints":500}],"address":"Москва, ул. Ленина 1"}"#,
            answers: [Route.answer(200, "the offer", Offer.self)], errors: [404, 409, 422],
            links: [
                Route.Link(name: "GetOffer", operationID: "getOffer", parameters: ["id": "$response.body#/dealId"]),
                Route.Link(name: "ConfirmOffer", operationID: "confirmOffer", parameters: ["id": "$response.body#/dealId"]),
            ]
        ) { ctx in
            var offer = try ctx.body(Offer.self)
            // Billing reads the deal for the person (G3) and takes its contact, pipeline and responsible.
            (offer.dealID, offer.by) = (try ctx.id(), ctx.actor)
            return Reply.json(200, try await ctx.call(Billing.putOffer, offer))
        },
        Route(
            method: "GET", path: "/v1/deals/{id}/offer", operationID: "getOffer", access: .role(.reader),
            summary: "The deal's offer with its totals and delivery options", answers: [Route.answer(200, "the offer", Offer.self)], errors: [404]
        ) { ctx in
            Reply.json(200, try await ctx.call(Billing.getOffer, GetOfferRequest(dealID: try ctx.id())))
        },
        Route(
            method: "POST", path: "/v1/deals/{id}/offer/confirm", operationID: "confirmOffer", access: .role(.integration),
            summary: "Confirm the offer with a delivery option: its lines are frozen and the deal moves to its pipeline's \"confirmed\" stage",
            body: ConfirmOfferRequest.openAPIInputSchema, example: #"{"tariff":"courier"}"#,
            answers: [Route.answer(200, "confirmed", Offer.self)], errors: [404, 409, 422]
        ) { ctx in
            var request = try ctx.body(ConfirmOfferRequest.self)
            let deal = try await visibleDeal(try ctx.id(), ctx)
            let pipelines = try await ctx.call(Deals.listPipelines, Empty())
            guard pipelines.pipelines.first(where: { $0.id == deal.pipelineID })?.confirmedStage != nil else {
                throw RPCError(.failedPrecondition, "deal \(deal.id)'s pipeline has no stage named \"confirmed\" to move it to; add one first")
            }
            request.dealID = deal.id
            request.by = ctx.actor
            return Reply.json(200, try await ctx.call(Billing.confirmOffer, request))
        },
        Route(
            method: "GET", path: "/v1/orders", operationID: "listOrders", access: .role(.admin),
            summary: "Confirmed orders by deal, filtered by product, zone, address and total (B2)", query: OrderQuery.queryParameters,
            answers: [Route.answer(200, "orders", OfferList.self)], errors: [422]
        ) { ctx in
            var query = try ctx.query(OrderQuery.self)
            if query.pageSize == 0 { query.pageSize = 100 }
            return Reply.json(200, try await ctx.call(Billing.listOrders, query))
        },
        Route(
            method: "GET", path: "/v1/orders.csv", operationID: "exportOrders", access: .role(.admin),
            summary: "Confirmed orders as CSV for the courier (B2): one line per order line, with address, zone, delivery and totals",
            query: OrderQuery.queryParameters, answers: [Route.Answer(status: 200, description: "CSV", content: .csv)], errors: [422]
        ) { ctx in
            var query = try ctx.query(OrderQuery.self)
            if query.pageSize == 0 { query.pageSize = 10_000 }
            let header = ["deal_id", "confirmed_at", "address", "zone", "delivery", "delivery_cost", "lead_days", "sku", "product", "quantity", "line_total", "order_total", "currency"]
            let offers = try await ctx.call(Billing.listOrders, query).offers
            return try await CSVExport.response(file: "orders.csv", header: header, what: "orders", limit: Int.max) { _ in
                (offers.flatMap(orderLines), "")
            }
        },
        Route(
            method: "POST", path: "/v1/payments", operationID: "recordPayment", access: .role(.admin),
            summary: "Record a payment by hand (cash, bank transfer; B3, B4): unique by reference; a prepayment names its group and the lessons or months it covers",
            body: PaymentReport.openAPIInputSchema,
            example: #"{"reference":"receipt-1041","status":"paid","amountMinor":3000000,"currency":"RUB","contactId":1,"groupId":1,"months":6,"purpose":"English B1, autumn"}"#,
            answers: [Route.answer(200, "the payment as it is now", Payment.self)], errors: [422],
            links: [Route.Link(name: "GetPayment", operationID: "getPayment", parameters: ["id": "$response.body#/id"])]
        ) { ctx in
            var report = try ctx.body(PaymentReport.self)
            report.provider = .manual
            if let group = report.groupID, try await !groupExists(group, ctx) {
                throw UnacceptableValues(error: .invalidArgument("group \(group) does not exist", details: [FieldViolation(field: "groupId", description: "is unknown")]))
            }
            return Reply.json(200, try await ctx.call(Billing.recordPayment, report))
        },
        Route(
            method: "GET", path: "/v1/payments", operationID: "listPayments", access: .role(.admin),
            summary: "Payments by id; `stale=true`: attempts still not paid after the follow-up time", query: ListPaymentsRequest.queryParameters,
            answers: [Route.answer(200, "payments", PaymentList.self)]
        ) { ctx in
            Reply.json(200, try await ctx.call(Billing.listPayments, try ctx.query(ListPaymentsRequest.self)))
        },
        Route(
            method: "GET", path: "/v1/payments/{id}", operationID: "getPayment", access: .role(.admin),
            summary: "A payment with every report about it (applied or not)", answers: [Route.answer(200, "the payment", Payment.self)], errors: [404]
        ) { ctx in
            Reply.json(200, try await ctx.call(Billing.getPayment, GetPaymentRequest(id: try ctx.id())))
        },
        Route(
            method: "GET", path: "/v1/subscriptions", operationID: "listSubscriptions", access: .role(.admin),
            summary: "Recurring payments' subscriptions (B3) by id; `contactId`: one payer's, `status`: those past due, ...", query: ListSubscriptionsRequest.queryParameters,
            answers: [Route.answer(200, "subscriptions", SubscriptionList.self)]
        ) { ctx in
            Reply.json(200, try await ctx.call(Billing.listSubscriptions, try ctx.query(ListSubscriptionsRequest.self)))
        },
        Route(
            method: "GET", path: "/v1/balances", operationID: "listBalances", access: .role(.admin),
            summary: "Prepaid lessons and months per student and group (B4); `exhausted=true`: students with none left", query: BalanceRequest.queryParameters,
            answers: [Route.answer(200, "balances", BalanceList.self)]
        ) { ctx in
            Reply.json(200, try await ctx.call(Billing.balances, try ctx.query(BalanceRequest.self)))
        },
        Route(
            method: "PUT", path: "/v1/groups/{id}/costs", operationID: "putGroupCosts", access: .role(.admin),
            summary: "A group's costs (B5): teacher pay per lesson held, textbook per student, rent per month, tax in basis points",
            body: GroupCosts.openAPIInputSchema,
            example: #"{"currency":"RUB","teacherPerLessonMinor":200000,"textbookPerStudentMinor":100000,"rentPerMonthMinor":400000,"taxBasisPoints":600}"#,
            answers: [Route.answer(200, "the costs", GroupCosts.self)], errors: [404, 422]
        ) { ctx in
            var costs = try ctx.body(GroupCosts.self)
            costs.groupID = try ctx.id()
            guard try await groupExists(costs.groupID, ctx) else { throw RPCError.notFound("group \(costs.groupID) does not exist") }
            return Reply.json(200, try await ctx.call(Billing.putGroupCosts, costs))
        },
        Route(
            method: "GET", path: "/v1/groups/{id}/economics", operationID: "groupEconomics", access: .role(.admin),
            summary: "A group's month (B5): accrued revenue, costs, margin, and the break-even student on cash received, each figure explained",
            query: GroupMonthRequest.queryParameters, answers: [Route.answer(200, "the month", GroupMonth.self)], errors: [404, 422]
        ) { ctx in
            var request = try ctx.query(GroupMonthRequest.self)
            request.groupID = try ctx.id()
            return Reply.json(200, try await ctx.call(Billing.groupEconomics, request))
        },
        Route(
            method: "POST", path: "/v1/bonus-formulas", operationID: "createBonusFormula", access: .role(.admin),
            summary: "A new version of the bonus formula's parameters (B6), in force from a month on; months already ended keep theirs",
            body: BonusFormula.openAPIInputSchema, example: #"{"rateBasisPoints":1500,"minimumMarginMinor":0,"effectiveFrom":"2027-01"}"#,
            answers: [Route.answer(201, "the version", BonusFormula.self, headers: ["Location"])], errors: [422]
        ) { ctx in
            Reply.created(try await ctx.call(Billing.putBonusFormula, try ctx.body(BonusFormula.self)), at: "/v1/bonus-formulas")
        },
        Route(
            method: "GET", path: "/v1/bonus-formulas", operationID: "listBonusFormulas", access: .role(.admin),
            summary: "Every version of the bonus formula, the default (version 0) first", answers: [Route.answer(200, "versions", BonusFormulaList.self)]
        ) { ctx in
            Reply.json(200, try await ctx.call(Billing.bonusFormulas, Empty()))
        },
        Route(
            method: "GET", path: "/v1/reports/bonuses", operationID: "bonusReport", access: .role(.integration),
            summary: "The month-end bonus report (B6): per manager, deals won, revenue, groups with margin and break-even, bonus, and how each was obtained; a staff member sees only their own lines",
            query: BonusReportRequest.queryParameters, answers: [Route.answer(200, "the report", BonusReport.self)], errors: [403, 422]
        ) { ctx in
            Reply.json(200, try await bonusReport(ctx))
        },
        Route(
            method: "GET", path: "/v1/reports/bonuses.csv", operationID: "bonusReportCSV", access: .role(.integration),
            summary: "The bonus report as CSV: one line per manager and group", query: BonusReportRequest.queryParameters,
            answers: [Route.Answer(status: 200, description: "CSV", content: .csv)], errors: [403, 422]
        ) { ctx in
            let report = try await bonusReport(ctx)
            let header = ["month", "formula_version", "manager_id", "deals_won", "currency", "group_id", "group", "students", "revenue", "group_margin",
                          "broke_even", "break_even_students", "attributed_margin", "bonus", "explanation"]
            return try await CSVExport.response(file: "bonuses-\(report.month).csv", header: header, what: "lines", limit: Int.max) { _ in
                (report.managers.flatMap { m in bonusLines(report, m) }, "")
            }
        },
    ]

    /// B4, B5: groups are scheduling's (S4); billing learns of them only from enrolments.
    static func groupExists(_ id: Int64, _ ctx: RequestContext) async throws -> Bool {
        try await ctx.found { try await ctx.call(Scheduling.getGroup, GetGroupRequest(id: id)) } != nil
    }

    /// The deal if the caller sees it; else as if it did not exist (G3).
    static func visibleDeal(_ id: Int64, _ ctx: RequestContext) async throws -> Deal {
        try await ctx.call(Deals.getDeal, GetDealRequest(id: id, visibility: try await ctx.visibility()))
    }

    static func bonusReport(_ ctx: RequestContext) async throws -> BonusReport {
        var request = try ctx.query(BonusReportRequest.self)
        if ctx.role != .admin || ctx.staffID != nil {
            guard let staff = ctx.staffID else { throw RPCError(.permissionDenied, "the bonus report is for an admin, or a staff member's own lines with a staff token") }
            if ctx.role != .admin {
                if let asked = request.managerID, asked != staff { throw RPCError(.permissionDenied, "a staff member sees only their own bonus lines") }
                request.managerID = staff
            }
        }
        return try await ctx.call(Billing.bonusReport, request)
    }

    static func money(_ minor: Int64, _ currency: String) -> String {
        guard let m = try? Money(minor: minor, currency: currency) else { return "\(minor)" }
        return String(m.description.dropLast(currency.count + 1))
    }

    static func orderLines(_ o: Offer) -> [[String]] {
        o.lines.map { l in
            [String(o.dealID), o.confirmedAtMilliseconds.map { RFC3339.format(milliseconds: $0) } ?? "",
             o.address, o.zoneName, o.delivery?.tariff ?? "", o.delivery.map { money($0.costMinor, o.currency) } ?? "", o.delivery.map { String($0.leadDays) } ?? "",
             l.sku, l.name, String(l.quantity), money(l.totalMinor, o.currency), money(o.totalMinor, o.currency), o.currency]
        }
    }

    static func bonusLines(_ r: BonusReport, _ m: ManagerBonus) -> [[String]] {
        let head = [r.month, String(r.formulaVersion), String(m.managerID), String(m.dealsWon), m.currency]
        guard !m.groups.isEmpty else { return [head + ["", "", "0", "0", "0", "", "0", "0", "0", m.explanation]] }
        return m.groups.map { g in
            head + [String(g.groupID), g.groupName, String(g.students), money(g.revenueMinor, g.currency), money(g.groupMarginMinor, g.currency),
                    g.brokeEven ? "yes" : "no", String(g.breakEvenStudents), money(g.attributedMarginMinor, g.currency), money(g.bonusMinor, g.currency), g.explanation]
        }
    }
}
