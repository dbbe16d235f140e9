import ContractSchema

/// The Billing contract (B1–B6): money as integer minor units with an ISO 4217 code, the
/// catalogue and offers with delivery (B2), payments from providers as a monotone state
/// machine (B3), prepaid lessons (B4), group economics (B5) and managers' bonuses (B6).
public let billingContract = ContractFile("Billing") {
    Service("Billing", id: "switchboard.billing.Billing", callers: [CallerIdentity.gateway], doc: """
        The billing service. Every amount is an integer count of the currency's minor unit
        (kopecks, cents; yen have none) beside its ISO 4217 code; nothing is ever a
        floating-point number. Rounding is half-even, per line, written once (``Money``).
        """, eventsDoc: "Event types this service emits.") {
        Service.Method("createProduct", "CreateProduct", "Product", "Product")
        Service.Method("updateProduct", "UpdateProduct", "ProductEdit", "Product", doc: """
            B2 (issue 26): a product's SKU, name and weight, kept in its history. Confirmed offers keep the lines they
            froze; drafts take the change when they are next put.
            """)
        Service.Method("archiveProduct", "ArchiveProduct", "ArchiveProductRequest", "Product", idempotent: true, doc: """
            B2 (issue 26): the product is no longer sold: no offer takes it after; offers, orders and reports that have it
            keep it. Idempotent.
            """)
        Service.Method("productHistory", "ProductHistory", "SetupHistoryRequest", "SetupHistory", idempotent: true)
        Service.Method("listProducts", "ListProducts", "ListProductsRequest", "ProductList", idempotent: true)
        Service.Method("createPriceList", "CreatePriceList", "PriceList", "PriceList", doc: "B2: prices per product in one currency, in force between two dates.")
        Service.Method("listPriceLists", "ListPriceLists", "Empty", "PriceListList", idempotent: true)
        Service.Method("updatePriceList", "UpdatePriceList", "PriceList", "PriceList", idempotent: true, doc: """
            B2 (issue 26): the list replaced (prices, dates, name; its currency stays): offers put after it take the new
            prices, confirmed ones keep theirs; an `activeTo` in the past retires it. Kept in its history.
            """)
        Service.Method("priceListHistory", "PriceListHistory", "SetupHistoryRequest", "SetupHistory", idempotent: true)
        Service.Method("createZone", "CreateZone", "DeliveryZone", "DeliveryZone", doc: "B2: a delivery zone: the address fragments that place an address in it, and its tariffs.")
        Service.Method("listZones", "ListZones", "Empty", "DeliveryZoneList", idempotent: true)
        Service.Method("putOffer", "PutOffer", "Offer", "Offer", doc: """
            B2: a deal's offer replaced: its lines priced from the price list in force for the
            currency, discounts applied per line, totals, and the delivery options of the
            address's zone. A confirmed offer is frozen: failed_precondition.
            """)
        Service.Method("getOffer", "GetOffer", "GetOfferRequest", "Offer", idempotent: true)
        Service.Method("confirmOffer", "ConfirmOffer", "ConfirmOfferRequest", "Offer", doc: """
            B2: freezes the lines with the chosen delivery option and emits offer.confirmed
            (deals moves the deal to its pipeline's "confirmed" stage). A repeat with the same
            option answers the confirmed offer.
            """)
        Service.Method("listOrders", "ListOrders", "OrderQuery", "OfferList", idempotent: true, doc: "B2: confirmed offers, filtered by product, zone, address and total.")
        Service.Method("recordPayments", "RecordPayments", "PaymentReports", "RecordedPayments", idempotent: true, doc: """
            B3 (issue 30): consecutive reports as recordPayment takes each, in order, in one transaction (a backlog of \
            hooks drains in batches); one refused refuses them all, naming it (`reports[3].currency`).
            """)
        Service.Method("recordPayment", "RecordPayment", "PaymentReport", "Payment", idempotent: true, doc: """
            B3: a provider's report of a payment, keyed on (provider, provider payment id):
            the first creates the payment, later ones move it along attempt → paid | failed,
            paid → refunded; a stale or out-of-order status is kept in the history and
            changes nothing. Never a second payment for one provider id.
            """)
        Service.Method("getPayment", "GetPayment", "GetPaymentRequest", "Payment", idempotent: true)
        Service.Method("listPayments", "ListPayments", "ListPaymentsRequest", "PaymentList", idempotent: true, callers: ["notifications"])
        Service.Method("recordSubscription", "RecordSubscription", "SubscriptionReport", "PaymentSubscription", idempotent: true, doc: """
            B3: a provider's word about a recurring payment's subscription (CloudPayments'
            Recurrent notification), keyed on (provider, subscription id). Cancelled, rejected
            and expired are final: a later status is kept in the history and changes nothing.
            Becoming past due emits subscription.past_due.
            """)
        Service.Method("listSubscriptions", "ListSubscriptions", "ListSubscriptionsRequest", "SubscriptionList", idempotent: true)
        Service.Method("balances", "Balances", "BalanceRequest", "BalanceList", idempotent: true, doc: "B4: what each student's prepayments cover in a group, what is used and what is left.")
        Service.Method("putGroupCosts", "PutGroupCosts", "GroupCosts", "GroupCosts", idempotent: true, doc: "B5: a group's costs (teacher per lesson, textbook per student, rent per month, tax).")
        Service.Method("groupEconomics", "GroupEconomics", "GroupMonthRequest", "GroupMonth", idempotent: true, doc: "B5: one group's month: revenue, costs, margin and break-even, each figure explained.")
        Service.Method("putBonusFormula", "PutBonusFormula", "BonusFormula", "BonusFormula", doc: "B6: a new version of the bonus formula's parameters, in force from a month on.")
        Service.Method("bonusFormulas", "BonusFormulas", "Empty", "BonusFormulaList", idempotent: true)
        Service.Method("bonusReport", "BonusReport", "BonusReportRequest", "BonusReport", idempotent: true, doc: """
            B6: the month-end report per manager. A month that has ended is computed with
            the formula version it was first computed with.
            """)
        Service.Method("erasePerson", "ErasePerson", "ErasePersonRequest", "ErasureReport", idempotent: true, doc: """
            C8: the person's payments and subscriptions keep amounts, dates and references, not the payer's name, email or phone.
            """)
        Service.Event("paymentPaid", "payment.paid", payload: "Payment", doc: "Paid, with its payer (D5, notifications, the donations pipeline).")
        Service.Event("paymentFailed", "payment.failed", payload: "Payment")
        Service.Event("paymentRefunded", "payment.refunded", payload: "Payment", doc: "`refundedMinor` says how much in all.")
        Service.Event("subscriptionPastDue", "subscription.past_due", payload: "PaymentSubscription", doc: "A recurring charge failed; the provider retries it (like payment.failed, for the payer).")
        Service.Event("offerConfirmed", "offer.confirmed", payload: "Offer", doc: "Deals moves the deal to its pipeline's confirmed stage.")
    }
    Message("Product", doc: "B2: something sold.", rest: [.output, .input]) {
        Field(1, "id", .int64).readOnly()
        Field(2, "sku", .string, doc: "Unique article code.").required().length(max: 64, min: 1).oneLineName()
        Field(3, "name", .string).required().length(max: 300, min: 1).oneLineName()
        Field(4, "weightGrams", .int64, doc: "For delivery tariffs by weight.").minimum(0).maximum(10_000_000)
        Field(5, "createdAtMilliseconds", .int64).timestamp().readOnly()
        Field(6, "archivedAtMilliseconds", .optional(.int64), doc: "When it stopped being sold (issue 26).").timestamp().readOnly()
    }
    Message("ProductEdit", doc: "B2 (issue 26): a product as it should be, in full.", rest: [.input]) {
        Field(1, "productID", .int64).hidden()
        Field(2, "product", .message("Product")).inline()
        Field(3, "actorID", .optional(.int64)).hidden()
        Field(4, "credentialID", .optional(.int64)).hidden()
    }
    Message("ArchiveProductRequest", rest: [.input]) {
        Field(1, "productID", .int64).hidden()
        Field(2, "actorID", .optional(.int64)).hidden()
        Field(3, "credentialID", .optional(.int64)).hidden()
    }
    Message("ListProductsRequest", rest: [.query]) {
        Field(1, "afterID", .optional(.int64), doc: "Paging: products after this id.").named("after").minimum(1)
        Field(2, "pageSize", .int64).named("limit").minimum(1).maximum(500)
    }
    Message("ProductList", rest: [.output]) {
        Field(1, "products", .repeated(.message("Product"))).named("items")
    }
    Message("Price", doc: "B2: one product's unit price in its list's currency.", rest: [.output, .input]) {
        Field(1, "productID", .int64).required().minimum(1)
        Field(2, "unitMinor", .int64, doc: "Minor units.").required().minimum(0).maximum(moneyCeiling)
    }
    Message("PriceList", doc: "B2: prices in one currency, in force from a date to a date (both optional, inclusive).", rest: [.output, .input]) {
        Field(1, "id", .int64).readOnly()
        Field(2, "name", .string).required().length(max: 200, min: 1).oneLineName()
        Field(3, "currency", .string).required().currencyCode()
        Field(4, "activeFrom", .string, doc: "YYYY-MM-DD (UTC); empty: from always.").date()
        Field(5, "activeTo", .string, doc: "YYYY-MM-DD (UTC), the last day; empty: open-ended.").date()
        Field(6, "prices", .repeated(.message("Price"))).required().items(max: 10_000)
        Field(7, "createdAtMilliseconds", .int64).timestamp().readOnly()
    }
    Message("PriceListList", rest: [.output]) {
        Field(1, "priceLists", .repeated(.message("PriceList"))).named("items")
    }
    Message("Tariff", doc: "B2: one delivery option of a zone, offered when the order fits its rules.", rest: [.output, .input]) {
        Field(1, "name", .string, doc: "courier, pickup, express...").required().length(max: 100, min: 1).oneLineName()
        Field(2, "minOrderMinor", .int64, doc: "Offered from this order total on (minor units).").minimum(0).maximum(moneyCeiling)
        Field(3, "maxOrderMinor", .optional(.int64), doc: "Offered up to this order total.").minimum(0).maximum(moneyCeiling)
        Field(4, "maxWeightGrams", .optional(.int64), doc: "Offered up to this weight.").minimum(0)
        Field(5, "costMinor", .int64, doc: "What delivery costs (0: free).").required().minimum(0).maximum(moneyCeiling)
        Field(6, "leadDays", .int64, doc: "Days until delivery.").required().minimum(0).maximum(365)
    }
    Message("DeliveryZone", doc: "B2: where an address is: the first zone (by id) one of whose fragments the address contains.", rest: [.output, .input]) {
        Field(1, "id", .int64).readOnly()
        Field(2, "name", .string).required().length(max: 100, min: 1).oneLineName()
        Field(3, "currency", .string, doc: "Of its tariffs.").required().currencyCode()
        Field(4, "matches", .repeated(.string), doc: "Address fragments (a city, a district, a postcode prefix), compared case-insensitively.").required().items(max: 200).length(max: 200, min: 1)
        Field(5, "tariffs", .repeated(.message("Tariff"))).required().items(max: 50)
    }
    Message("DeliveryZoneList", rest: [.output]) {
        Field(1, "zones", .repeated(.message("DeliveryZone"))).named("items")
    }
    Message("OfferLine", doc: "B2: one line: a product, a quantity, its unit price from the price list and a discount (percent or amount).", rest: [.output, .input]) {
        Field(1, "productID", .int64).required().minimum(1)
        Field(2, "quantity", .int64).required().minimum(1).maximum(1_000_000)
        Field(3, "discountBasisPoints", .int64, doc: "A percentage in hundredths (1000: 10%), rounded half-even per line.").minimum(0).maximum(10_000)
        Field(4, "discountMinor", .int64, doc: "Or an amount off the line.").minimum(0).maximum(moneyCeiling)
        Field(5, "sku", .string).readOnly()
        Field(6, "name", .string).readOnly()
        Field(7, "unitMinor", .int64).readOnly()
        Field(8, "subtotalMinor", .int64, doc: "quantity × unit.").readOnly()
        Field(9, "discountTotalMinor", .int64).readOnly()
        Field(10, "totalMinor", .int64).readOnly()
        Field(11, "weightGrams", .int64).readOnly()
    }
    Message("DeliveryOption", doc: "B2: a tariff the order qualifies for.", rest: [.output]) {
        Field(1, "tariff", .string)
        Field(2, "costMinor", .int64)
        Field(3, "leadDays", .int64)
    }
    Enumeration("OfferStatus") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "draft")
        Enumeration.Case(2, "confirmed")
    }
    Message("Offer", doc: "B2: a deal's offer: priced lines, totals and delivery from the address's zone.", rest: [.output, .input]) {
        Field(1, "dealID", .int64).readOnly()
        Field(2, "currency", .string).required().currencyCode()
        Field(3, "lines", .repeated(.message("OfferLine"))).required().items(max: 200)
        Field(4, "address", .string, doc: "Delivery address; its zone gives the delivery options.").length(max: 500)
        Field(5, "zoneID", .optional(.int64)).readOnly()
        Field(6, "zoneName", .string).readOnly()
        Field(7, "deliveryOptions", .repeated(.message("DeliveryOption"))).readOnly()
        Field(8, "delivery", .optional(.message("DeliveryOption")), doc: "The option chosen on confirmation.").readOnly()
        Field(9, "subtotalMinor", .int64).readOnly()
        Field(10, "discountMinor", .int64).readOnly()
        Field(11, "totalMinor", .int64, doc: "Lines after discounts, delivery not included.").readOnly()
        Field(12, "weightGrams", .int64).readOnly()
        Field(13, "status", .enumeration("OfferStatus")).readOnly()
        Field(14, "priceListID", .int64).readOnly()
        Field(15, "updatedAtMilliseconds", .int64).timestamp().readOnly()
        Field(16, "confirmedAtMilliseconds", .optional(.int64)).timestamp().readOnly()
        Field(17, "by", .string, doc: "Who last changed it.").readOnly()
        Field(18, "contactID", .int64, doc: "The deal's contact (set by the gateway).").hidden()
        Field(19, "pipelineID", .int64).hidden()
        Field(20, "responsibleID", .optional(.int64)).hidden()
    }
    Message("GetOfferRequest") {
        Field(1, "dealID", .int64)
    }
    Message("ConfirmOfferRequest", rest: [.input], restName: "OfferConfirmation") {
        Field(1, "dealID", .int64).hidden()
        Field(2, "tariff", .string, doc: "The delivery option chosen (by name); required when the zone offers any.").length(max: 100)
        Field(3, "by", .string).hidden()
    }
    Message("OrderQuery", rest: [.query]) {
        Field(1, "sku", .string, doc: "Orders with this product.").named("product").length(max: 64)
        Field(2, "zone", .string, doc: "Orders delivered in this zone (by name).").length(max: 100)
        Field(3, "address", .string, doc: "Orders whose address contains this (case-insensitive).").length(max: 200)
        Field(4, "minTotalMinor", .optional(.int64)).named("minTotal").minimum(0).maximum(moneyCeiling)
        Field(5, "maxTotalMinor", .optional(.int64)).named("maxTotal").minimum(0).maximum(moneyCeiling)
        Field(6, "afterDealID", .optional(.int64), doc: "Paging: orders of deals after this id.").named("after").minimum(1)
        Field(7, "pageSize", .int64, doc: "Default 100 (CSV: 10,000).").named("limit").minimum(1).maximum(10_000)
    }
    Message("OfferList", rest: [.output]) {
        Field(1, "offers", .repeated(.message("Offer"))).named("items")
    }
    Enumeration("PaymentStatus") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "attempt", doc: "Started; not paid yet.")
        Enumeration.Case(2, "paid")
        Enumeration.Case(3, "failed")
        Enumeration.Case(4, "refunded", doc: "Wholly or partly: `refundedMinor` says how much.")
    }
    Enumeration("PaymentProvider") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "leyka", doc: "Leyka donations forwarded by the site.")
        Enumeration.Case(2, "cloudpayments")
        Enumeration.Case(3, "manual", doc: "Recorded by staff (cash, bank transfer).")
    }
    Enumeration("PaymentOpens", doc: "B3: what a provider's paid payment that names no deal or group opens in deals (an integration's setting).") {
        Enumeration.Case(0, "unspecified", doc: "Leyka and CloudPayments: donations; manual payments: nothing.")
        Enumeration.Case(1, "donations", doc: "A deal in the donations pipeline, one per payment.")
        Enumeration.Case(2, "orders", doc: "A deal in the orders pipeline (the default one when none takes orders), one per payment.")
        Enumeration.Case(3, "nothing", doc: "Only a line on the payer's timeline.")
    }
    Message("PaymentChange", doc: "B3: one report about the payment, applied or not.", rest: [.output]) {
        Field(1, "atMilliseconds", .int64).timestamp().named("at")
        Field(2, "status", .enumeration("PaymentStatus"))
        Field(3, "amountMinor", .int64)
        Field(4, "applied", .bool, doc: "False: stale or out of order, kept and ignored.")
        Field(5, "note", .string)
    }
    Message("Payment", doc: "B3: one provider payment: never two for one provider id.", rest: [.output]) {
        Field(1, "id", .int64)
        Field(2, "provider", .enumeration("PaymentProvider"))
        Field(3, "providerPaymentID", .string).named("providerPaymentId")
        Field(4, "status", .enumeration("PaymentStatus"))
        Field(5, "amountMinor", .int64)
        Field(6, "currency", .string)
        Field(7, "refundedMinor", .int64)
        Field(8, "payerContactID", .optional(.int64), doc: "The payer (contacts' match-or-create by email, then phone); absent until found.")
        Field(9, "firstPayment", .bool, doc: "The payer's first paid payment.")
        Field(10, "purpose", .string, doc: "Campaign title, course, order.")
        Field(11, "campaign", .string)
        Field(12, "dealID", .optional(.int64), doc: "The deal it pays for, when known.")
        Field(13, "subscriptionID", .string, doc: "A recurring charge's subscription.").named("subscriptionId")
        Field(14, "email", .string)
        Field(15, "phone", .string)
        Field(16, "payerName", .string)
        Field(17, "groupID", .optional(.int64), doc: "B4: the group whose lessons it prepays.")
        Field(18, "lessons", .int64, doc: "B4: lessons it covers.")
        Field(19, "months", .int64, doc: "B4: months it covers, from the month it was paid in.")
        Field(20, "history", .repeated(.message("PaymentChange")))
        Field(21, "createdAtMilliseconds", .int64).timestamp()
        Field(22, "paidAtMilliseconds", .optional(.int64)).timestamp()
        Field(23, "updatedAtMilliseconds", .int64).timestamp()
        Field(24, "repeatPayer", .bool, doc: "The payer paid before.")
        Field(25, "test", .bool, doc: "The provider's test mode (CloudPayments `TestMode=1`): recorded, never a payer, deal or event.")
        Field(26, "opens", .enumeration("PaymentOpens"), doc: "What it opens in deals once paid (its integration's setting).")
    }
    Message("PaymentReports", doc: "B3 (issue 30): provider reports in the order they came, at most 500.") {
        Field(1, "reports", .repeated(.message("PaymentReport")))
    }
    Message("RecordedPayments") {
        Field(1, "count", .int64, doc: "Reports recorded.")
    }
    Message("PaymentReport", doc: "B3: a provider's word about a payment (a manual one from staff).", rest: [.input], restName: "ManualPayment") {
        Field(1, "provider", .enumeration("PaymentProvider")).hidden()
        Field(2, "providerPaymentID", .string, doc: "Your reference (receipt number): unique.").named("reference").required().length(max: 100, min: 1).oneLineName()
        Field(3, "status", .enumeration("PaymentStatus"), doc: "paid by default.").allowed("attempt", "paid", "failed", "refunded")
        Field(4, "amountMinor", .int64).required().minimum(1).maximum(moneyCeiling)
        Field(5, "currency", .string).required().currencyCode()
        Field(6, "refundMinor", .int64, doc: "For refunded: this refund's amount (default: the whole payment).").minimum(0).maximum(moneyCeiling)
        Field(7, "refundID", .string, doc: "For refunded: the refund's own id, so a repeat counts once.").hidden()
        Field(8, "email", .string).length(max: 254)
        Field(9, "phone", .string).length(max: 32)
        Field(10, "payerName", .string).length(max: 200)
        Field(11, "purpose", .string).length(max: 300)
        Field(12, "campaign", .string).length(max: 200)
        Field(13, "subscriptionID", .string).hidden()
        Field(14, "occurredAtMilliseconds", .optional(.int64), doc: "When it happened (default: now).").timestamp().named("at")
        Field(15, "contactID", .optional(.int64), doc: "The payer, when known (else matched by email, then phone).").minimum(1)
        Field(16, "dealID", .optional(.int64)).minimum(1)
        Field(17, "groupID", .optional(.int64), doc: "B4: the group whose lessons it prepays.").minimum(1)
        Field(18, "lessons", .int64, doc: "B4: lessons it prepays; a payment prepays lessons or months, not both, and either needs groupId (422 otherwise).").minimum(0).maximum(1000)
        Field(19, "months", .int64, doc: "B4: months it prepays from the month it was paid in; not with lessons, and with groupId.").minimum(0).maximum(60)
        Field(20, "note", .string).hidden()
        Field(21, "test", .bool).hidden()
        Field(22, "opens", .enumeration("PaymentOpens")).hidden()
    }
    Enumeration("SubscriptionStatus", doc: "B3: where a recurring payment's subscription stands (CloudPayments' statuses).") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "active")
        Enumeration.Case(2, "pastDue", doc: "A charge failed; the provider retries it.")
        Enumeration.Case(3, "cancelled", doc: "Final: stopped by the payer or the merchant.")
        Enumeration.Case(4, "rejected", doc: "Final: the retries failed too.")
        Enumeration.Case(5, "expired", doc: "Final: its charges are all made.")
    }
    Message("SubscriptionChange", doc: "B3: one report about a subscription, applied or not.", rest: [.output]) {
        Field(1, "atMilliseconds", .int64).timestamp().named("at")
        Field(2, "status", .enumeration("SubscriptionStatus"))
        Field(3, "applied", .bool, doc: "False: after a final status, kept and ignored.")
    }
    Message("SubscriptionReport", doc: "B3: a provider's report of a subscription's state.") {
        Field(1, "provider", .enumeration("PaymentProvider"))
        Field(2, "subscriptionID", .string)
        Field(3, "status", .enumeration("SubscriptionStatus"))
        Field(4, "email", .string)
        Field(5, "accountID", .string)
        Field(6, "amountMinor", .int64)
        Field(7, "currency", .string)
        Field(8, "purpose", .string)
        Field(9, "nextChargeAtMilliseconds", .optional(.int64))
        Field(10, "successfulCharges", .int64)
        Field(11, "failedCharges", .int64)
        Field(12, "test", .bool)
    }
    Message("PaymentSubscription", doc: "B3: a recurring payment's subscription and its payer.", rest: [.output]) {
        Field(1, "id", .int64)
        Field(2, "provider", .enumeration("PaymentProvider"))
        Field(3, "subscriptionID", .string).named("subscriptionId")
        Field(4, "status", .enumeration("SubscriptionStatus"))
        Field(5, "payerContactID", .optional(.int64), doc: "The payer, once one of its charges found them (absent until then).")
        Field(6, "email", .string)
        Field(7, "accountID", .string, doc: "The merchant's own account id for the payer.").named("accountId")
        Field(8, "amountMinor", .int64, doc: "Each charge's amount.")
        Field(9, "currency", .string)
        Field(10, "purpose", .string)
        Field(11, "nextChargeAtMilliseconds", .optional(.int64)).timestamp().named("nextChargeAt")
        Field(12, "successfulCharges", .int64)
        Field(13, "failedCharges", .int64)
        Field(14, "test", .bool, doc: "The provider's test mode: never announced.")
        Field(15, "history", .repeated(.message("SubscriptionChange")), doc: "The latest reports, oldest first.")
        Field(16, "createdAtMilliseconds", .int64).timestamp()
        Field(17, "updatedAtMilliseconds", .int64).timestamp()
    }
    Message("ListSubscriptionsRequest", rest: [.query]) {
        Field(1, "status", .enumeration("SubscriptionStatus")).allowed("active", "past_due", "cancelled", "rejected", "expired")
        Field(2, "contactID", .optional(.int64), doc: "One payer's subscriptions.").named("contactId").minimum(1)
        Field(3, "afterID", .optional(.int64)).named("after").minimum(1)
        Field(4, "pageSize", .int64).named("limit").minimum(1).maximum(500)
    }
    Message("SubscriptionList", rest: [.output]) {
        Field(1, "subscriptions", .repeated(.message("PaymentSubscription"))).named("items")
    }
    Message("GetPaymentRequest") {
        Field(1, "id", .int64)
    }
    Message("ListPaymentsRequest", rest: [.query]) {
        Field(1, "status", .enumeration("PaymentStatus")).allowed("attempt", "paid", "failed", "refunded")
        Field(2, "staleOnly", .bool, doc: "Only attempts older than the configured follow-up time (BILLING_STALE_ATTEMPT_MINUTES).").named("stale")
        Field(3, "contactID", .optional(.int64)).named("contactId").minimum(1)
        Field(4, "afterID", .optional(.int64)).named("after").minimum(1)
        Field(5, "pageSize", .int64).named("limit").minimum(1).maximum(500)
    }
    Message("PaymentList", rest: [.output]) {
        Field(1, "payments", .repeated(.message("Payment"))).named("items")
    }
    Message("BalanceRequest", rest: [.query]) {
        Field(1, "groupID", .optional(.int64)).named("groupId").minimum(1)
        Field(2, "contactID", .optional(.int64)).named("contactId").minimum(1)
        Field(3, "exhaustedOnly", .bool, doc: "Only students with no prepaid lessons or months left.").named("exhausted")
    }
    Message("Balance", doc: "B4: one student's prepayments in one group.", rest: [.output]) {
        Field(1, "groupID", .int64)
        Field(2, "contactID", .int64)
        Field(3, "lessonsBought", .int64)
        Field(4, "lessonsUsed", .int64, doc: "Lessons held with the student marked present or absent (excused ones are not used).")
        Field(5, "lessonsLeft", .int64)
        Field(6, "monthsBought", .int64)
        Field(7, "paidThrough", .string, doc: "YYYY-MM: the last month months-prepayments cover (empty: none).")
        Field(8, "exhausted", .bool, doc: "No lessons left and no month covered from now on.")
    }
    Message("BalanceList", rest: [.output]) {
        Field(1, "balances", .repeated(.message("Balance"))).named("items")
    }
    Message("GroupCosts", doc: "B5: what a group costs, in one currency.", rest: [.output, .input]) {
        Field(1, "groupID", .int64).readOnly()
        Field(2, "currency", .string).required().currencyCode()
        Field(3, "teacherPerLessonMinor", .int64, doc: "Teacher pay per lesson held.").minimum(0).maximum(moneyCeiling)
        Field(4, "textbookPerStudentMinor", .int64, doc: "Textbooks, once per student, in the month they join.").minimum(0).maximum(moneyCeiling)
        Field(5, "rentPerMonthMinor", .int64).minimum(0).maximum(moneyCeiling)
        Field(6, "taxBasisPoints", .int64, doc: "Tax as a percentage of revenue in hundredths (600: 6%).").minimum(0).maximum(10_000)
        Field(7, "groupName", .string, doc: "For reports.").length(max: 200)
        Field(8, "otherCosts", .repeated(.message("OtherCost")), doc: "Anything else the group costs (issue 26).").items(max: 50)
    }
    Message("OtherCost", doc: """
        B5 (issue 26): one more cost of a group, by name: every month from the group's first (like rent), or once in
        the month named.
        """, rest: [.output, .input]) {
        Field(1, "name", .string).required().length(max: 100, min: 1).oneLineName()
        Field(2, "amountMinor", .int64).required().minimum(0).maximum(moneyCeiling)
        Field(3, "month", .string, doc: "YYYY-MM: once, in this month; absent: every month.").month()
    }
    Message("GroupMonthRequest", rest: [.query]) {
        Field(1, "groupID", .int64).hidden()
        Field(2, "month", .string, doc: "YYYY-MM (UTC).").required().month()
    }
    Message("StudentMonth", doc: "B5: one student's part of a group's month.", rest: [.output]) {
        Field(1, "contactID", .int64)
        Field(2, "joinedAtMilliseconds", .int64).timestamp().named("joinedAt")
        Field(3, "cashMinor", .int64, doc: "Paid in this month and before (net of refunds): what break-even counts.")
        Field(4, "revenueMinor", .int64, doc: "Earned this month: prepayments spread over what they cover.")
        Field(5, "dealID", .optional(.int64))
        Field(6, "managerID", .optional(.int64), doc: "Who sold it: the won deal's responsible.")
    }
    Message("GroupMonth", doc: "B5: a group's month, each figure with how it was obtained.", rest: [.output]) {
        Field(1, "groupID", .int64)
        Field(2, "groupName", .string)
        Field(3, "month", .string)
        Field(4, "currency", .string)
        Field(5, "students", .repeated(.message("StudentMonth")), doc: "In the order they joined.")
        Field(6, "revenueMinor", .int64, doc: "Accrued this month (monthly margin).")
        Field(7, "cashMinor", .int64, doc: "Received up to this month's end (break-even).")
        Field(8, "lessonsHeld", .int64)
        Field(9, "teacherMinor", .int64)
        Field(10, "textbooksMinor", .int64)
        Field(11, "rentMinor", .int64)
        Field(12, "taxMinor", .int64)
        Field(13, "costsMinor", .int64)
        Field(14, "marginMinor", .int64, doc: "revenue − costs of this month.")
        Field(15, "brokeEven", .bool, doc: "Cash received up to this month's end covers every cost up to it.")
        Field(16, "breakEvenStudents", .int64, doc: "How many students (in joining order) it took; 0: not reached.")
        Field(17, "breakEvenContactID", .optional(.int64), doc: "The student from whom the group pays for itself.")
        Field(18, "explanation", .repeated(.string))
        Field(19, "otherMinor", .int64, doc: "The group's other costs this month (issue 26).")
    }
    Message("BonusFormula", doc: """
        B6's parameters: bonus = rate × the margin of the manager's students' share of each
        group that broke even (share by accrued revenue), nothing for a group that did not.
        """, rest: [.output, .input]) {
        Field(1, "version", .int64).readOnly()
        Field(2, "rateBasisPoints", .int64, doc: "Share of the attributed margin (1000: 10%).").required().minimum(0).maximum(10_000)
        Field(3, "minimumMarginMinor", .int64, doc: "A group's month with less margin gives nothing.").minimum(0).maximum(moneyCeiling)
        Field(4, "effectiveFrom", .string, doc: "YYYY-MM: the first month it applies to.").required().month()
        Field(5, "createdAtMilliseconds", .int64).timestamp().readOnly()
    }
    Message("BonusFormulaList", rest: [.output]) {
        Field(1, "formulas", .repeated(.message("BonusFormula"))).named("items")
    }
    Message("BonusReportRequest", rest: [.query]) {
        Field(1, "month", .string, doc: "YYYY-MM (UTC).").required().month()
        Field(2, "managerID", .optional(.int64), doc: "Only this manager's lines.").named("managerId").minimum(1)
    }
    Message("ManagerGroup", doc: "B6: one group in a manager's month.", rest: [.output]) {
        Field(1, "groupID", .int64)
        Field(2, "groupName", .string)
        Field(3, "currency", .string)
        Field(4, "students", .int64, doc: "The manager's students in it this month.")
        Field(5, "revenueMinor", .int64, doc: "Their accrued revenue.")
        Field(6, "groupMarginMinor", .int64)
        Field(7, "brokeEven", .bool)
        Field(8, "breakEvenStudents", .int64)
        Field(9, "attributedMarginMinor", .int64, doc: "The group's margin × their revenue ÷ the group's.")
        Field(10, "bonusMinor", .int64)
        Field(11, "explanation", .string)
    }
    Message("ManagerBonus", rest: [.output]) {
        Field(1, "managerID", .int64)
        Field(2, "dealsWon", .int64, doc: "Deals they won this month.")
        Field(3, "currency", .string)
        Field(4, "revenueMinor", .int64)
        Field(5, "bonusMinor", .int64)
        Field(6, "groups", .repeated(.message("ManagerGroup")))
        Field(7, "explanation", .string)
    }
    Message("BonusReport", doc: "B6: the month-end report; the same inputs always give the same report.", rest: [.output]) {
        Field(1, "month", .string)
        Field(2, "formulaVersion", .int64)
        Field(3, "rateBasisPoints", .int64)
        Field(4, "minimumMarginMinor", .int64)
        Field(5, "managers", .repeated(.message("ManagerBonus"))).named("items")
        Field(6, "pinned", .bool, doc: "The month has ended: its formula version is fixed.")
    }
}
