import BillingService
import Contracts
import Testing
import Wire

/// B2–B6 as plain values, with the issue's worked examples.
@Suite struct BillingRulesTests {
    static let rub = "RUB"
    static let window = Product(id: 1, sku: "WIN-1", name: "Window", weightGrams: 30_000)
    static let handle = Product(id: 2, sku: "HND-1", name: "Handle", weightGrams: 200)

    @Test func b2LinesArePricedDiscountedPerLineHalfEvenAndTotalled() throws {
        let lines = [
            OfferLine(productID: 1, quantity: 3, discountBasisPoints: 1250),  // 3 × 333.33 = 999.99; 12.5% = 124.99875 → 125.00
            OfferLine(productID: 2, quantity: 2, discountMinor: 50),
        ]
        let priced = try OfferTotals.price(lines, currency: Self.rub, unitPrices: [1: 33_333, 2: 1_000], products: [1: Self.window, 2: Self.handle])
        #expect(priced.lines.map(\.subtotalMinor) == [99_999, 2_000])
        #expect(priced.lines.map(\.discountTotalMinor) == [12_500, 50])
        #expect(priced.lines.map(\.totalMinor) == [87_499, 1_950])
        #expect(priced.totalMinor == 89_449 && priced.subtotalMinor == 101_999 && priced.discountMinor == 12_550)
        #expect(priced.weightGrams == 90_400)
        #expect(priced.lines[0].sku == "WIN-1" && priced.lines[0].unitMinor == 33_333)
        // A discount larger than its line, both kinds at once, no price: each a field error.
        do {
            _ = try OfferTotals.price(
                [OfferLine(productID: 1, quantity: 1, discountMinor: 40_000), OfferLine(productID: 2, quantity: 1, discountBasisPoints: 10, discountMinor: 1),
                 OfferLine(productID: 3, quantity: 1)],
                currency: Self.rub, unitPrices: [1: 33_333, 2: 1_000], products: [1: Self.window, 2: Self.handle])
            Issue.record("refused lines were accepted")
        } catch {
            #expect(error.details.map(\.field) == ["lines[0].discountMinor", "lines[1]", "lines[2].productId"])
        }
    }

    @Test func b2TheAddressZoneGivesTheTariffsTheOrderQualifiesForCheapestFirst() {
        let moscow = DeliveryZone(id: 2, name: "Moscow", currency: Self.rub, matches: ["Москва", "Moscow"], tariffs: [
            Tariff(name: "courier", costMinor: 50_000, leadDays: 2),
            Tariff(name: "free", minOrderMinor: 5_000_000, costMinor: 0, leadDays: 3),
            Tariff(name: "light", maxWeightGrams: 10_000, costMinor: 20_000, leadDays: 1),
        ])
        let region = DeliveryZone(id: 3, name: "Region", currency: Self.rub, matches: ["область"], tariffs: [Tariff(name: "post", costMinor: 90_000, leadDays: 7)])
        #expect(DeliveryQuote.zone(for: "г. МОСКВА, ул. Ленина 1", in: [region, moscow])?.name == "Moscow")
        #expect(DeliveryQuote.zone(for: "Московская область, Химки", in: [region, moscow])?.name == "Region", "Москва is not in Московская")
        #expect(DeliveryQuote.zone(for: "Kazan", in: [region, moscow]) == nil)
        #expect(DeliveryQuote.options(moscow, totalMinor: 100_000, weightGrams: 30_000).map(\.tariff) == ["courier"])
        #expect(DeliveryQuote.options(moscow, totalMinor: 6_000_000, weightGrams: 5_000).map(\.tariff) == ["free", "light", "courier"])
    }

    typealias Machine = PaymentStateMachine

    static func step(_ current: (PaymentStatus, Int64, Int64)?, _ incoming: PaymentStatus, refund: Int64 = 0, id: String = "", seen: Set<String> = []) -> Machine.Decision {
        Machine.apply(current: current.map { (status: $0.0, amountMinor: $0.1, refundedMinor: $0.2) }, refundIDs: seen, incoming: incoming, amountMinor: 1000, refundMinor: refund, refundID: id)
    }

    @Test func b3APaymentOnlyMovesForwardAndAStaleReportChangesNothing() {
        #expect(Self.step(nil, .attempt).status == .attempt)
        #expect(Self.step((.attempt, 1000, 0), .paid) == .init(status: .paid, refundedMinor: 0, applied: true, note: ""))
        let late = Self.step((.paid, 1000, 0), .failed)
        #expect(!late.applied && late.status == .paid && late.note.contains("out of order"), "a failed after paid is stale")
        #expect(!Self.step((.paid, 1000, 0), .attempt).applied)
        #expect(!Self.step((.paid, 1000, 0), .paid).applied, "a repeat")
        #expect(Self.step((.failed, 1000, 0), .paid).status == .paid, "a retried card charged after all")
        #expect(!Self.step((.refunded, 1000, 1000), .paid).applied)
    }

    /// B3: a subscription's final statuses stay final; past due is said once each time.
    @Test func b3ASubscriptionLeavesAFinalStatusNeverAndBecomesPastDueOncePerTime() {
        let first = SubscriptionStateMachine.apply(current: nil, incoming: .pastDue)
        #expect(first.applied && first.becamePastDue)
        #expect(!SubscriptionStateMachine.apply(current: .pastDue, incoming: .pastDue).becamePastDue)
        #expect(SubscriptionStateMachine.apply(current: .active, incoming: .pastDue).becamePastDue)
        let late = SubscriptionStateMachine.apply(current: .cancelled, incoming: .active)
        #expect(late == SubscriptionStateMachine.Decision(status: .cancelled, applied: false, becamePastDue: false))
    }

    @Test func b3PartialRefundsAddUpToAtMostTheAmountAndARepeatedRefundCountsOnce() {
        let first = Self.step((.paid, 1000, 0), .refunded, refund: 300, id: "r1")
        #expect(first.status == .refunded && first.refundedMinor == 300)
        #expect(!Self.step((.refunded, 1000, 300), .refunded, refund: 300, id: "r1", seen: ["r1"]).applied, "the same refund re-delivered")
        let second = Self.step((.refunded, 1000, 300), .refunded, refund: 900, id: "r2", seen: ["r1"])
        #expect(second.refundedMinor == 1000 && second.note.contains("capped"))
        // Leyka's "refunded" has no refund id: the rest of the payment, once.
        #expect(Self.step((.paid, 1000, 0), .refunded).refundedMinor == 1000)
        #expect(!Self.step((.refunded, 1000, 1000), .refunded).applied)
        // Heard of first as refunded: it was paid, and is refunded now.
        #expect(Self.step(nil, .refunded) == .init(status: .refunded, refundedMinor: 1000, applied: true, note: "first heard of as refunded"))
    }

    // B5's worked example: 8 lessons at 2,000.00, rent 4,000.00, a textbook of 1,000.00 per
    // student; a monthly fee of 5,000.00. Students 1..k cover 20,000 + 1,000 k from k = 5.
    static let costs = GroupCosts(groupID: 7, currency: rub, teacherPerLessonMinor: 200_000, textbookPerStudentMinor: 100_000, rentPerMonthMinor: 400_000, taxBasisPoints: 0)
    static let march = BillingMonth(year: 2027, month: 3)
    static func day(_ month: BillingMonth, _ d: Int64, hour: Int64 = 10) -> Int64 { month.startMilliseconds + (d - 1) * 86_400_000 + hour * 3_600_000 }
    static func lessons(_ month: BillingMonth) -> [Int64] { (0..<8).map { day(month, 2 + 3 * $0, hour: 15) } }

    static func group(students n: Int, in month: BillingMonth = march, managers: (Int) -> Int64? = { _ in nil }, prepaid: [Int: Int64] = [:]) -> GroupEconomics.Inputs {
        let students = (1...n).map { GroupEconomics.Student(contactID: Int64(100 + $0), joinedAtMilliseconds: day(month, 1, hour: Int64($0)), managerID: managers($0)) }
        let receipts = (1...n).map { i in
            GroupEconomics.Receipt(contactID: Int64(100 + i), paidAtMilliseconds: day(month, 1, hour: Int64(i)), netMinor: 500_000 * (prepaid[i] ?? 1), months: prepaid[i] ?? 1)
        }
        return GroupEconomics.Inputs(groupID: 7, groupName: "English B1", costs: costs, students: students, receipts: receipts, lessonsHeld: lessons(month))
    }

    @Test func b5AGroupBreaksEvenAtItsFifthStudent() throws {
        let m = try GroupEconomics.month(Self.group(students: 6), Self.march)
        #expect(m.revenueMinor == 3_000_000 && m.cashMinor == 3_000_000)
        #expect(m.teacherMinor == 1_600_000 && m.rentMinor == 400_000 && m.textbooksMinor == 600_000)
        #expect(m.marginMinor == 400_000)
        #expect(m.brokeEven && m.breakEvenStudents == 5 && m.breakEvenContactID == 105)
        #expect(m.explanation.contains { $0.hasPrefix("break-even at student 5 (contact 105)") })
        let four = try GroupEconomics.month(Self.group(students: 4), Self.march)
        #expect(!four.brokeEven && four.breakEvenStudents == 0 && four.marginMinor == -400_000)
    }

    @Test func b5OtherCostsCountEveryMonthOrInTheirMonthAndMoveTheBreakEven() throws {
        // Issue 26: cleaning 500.00 every month, an ad campaign 2,000.00 once in March, a party 1,000.00 once in April.
        var inputs = Self.group(students: 6)
        inputs.costs.otherCosts = [
            OtherCost(name: "Cleaning", amountMinor: 50_000), OtherCost(name: "Ads", amountMinor: 200_000, month: "2027-03"),
            OtherCost(name: "Party", amountMinor: 100_000, month: "2027-04"),
        ]
        let m = try GroupEconomics.month(inputs, Self.march)
        #expect(m.otherMinor == 250_000)
        #expect(m.costsMinor == 1_600_000 + 400_000 + 600_000 + 250_000 && m.marginMinor == 400_000 - 250_000)
        // Cash 500.00 k against 16,000 + 4,000 + 2,500 + 1,000 k: the fifth student no longer covers it, the sixth does.
        #expect(m.brokeEven && m.breakEvenStudents == 6 && m.breakEvenContactID == 106)
        #expect(m.explanation.contains("other 2500.00 RUB: Cleaning 500.00 RUB every month; Ads 2000.00 RUB once, in 2027-03; Party 1000.00 RUB once, in 2027-04"),
                "\(m.explanation)")
    }

    @Test func b5OneStudentPrepayingSixMonthsCoversTheCostAtOnceWhileTheMarginSpreadsIt() throws {
        let inputs = Self.group(students: 2, prepaid: [1: 6])
        let m = try GroupEconomics.month(inputs, Self.march)
        // Cash: 30,000 + 5,000 against 16,000 + 4,000 + textbooks: broken even at the first student.
        #expect(m.brokeEven && m.breakEvenStudents == 1 && m.breakEvenContactID == 101)
        // Revenue: the prepayment counts one sixth a month.
        #expect(m.students.map(\.revenueMinor) == [500_000, 500_000] && m.students.map(\.cashMinor) == [3_000_000, 500_000])
        #expect(m.revenueMinor == 1_000_000 && m.marginMinor == 1_000_000 - 2_200_000)
        let april = BillingMonth(year: 2027, month: 4)
        var next = inputs
        next.lessonsHeld += Self.lessons(april)
        let a = try GroupEconomics.month(next, april)
        #expect(a.students.map(\.revenueMinor) == [500_000, 0] && a.textbooksMinor == 0)
        #expect(a.cashMinor == 3_500_000 && !a.brokeEven, "cash 35,000 against two months of teacher and rent (40,000) and 2 textbooks")
    }

    @Test func b5ALessonPackageEarnsItsRevenueAsTheLessonsAreUsed() throws {
        var inputs = Self.group(students: 1)
        inputs.receipts = [GroupEconomics.Receipt(contactID: 101, paidAtMilliseconds: Self.day(Self.march, 1), netMinor: 1_000_000, lessons: 3)]
        inputs.usedLessons = [101: Array(Self.lessons(Self.march).prefix(2))]
        let m = try GroupEconomics.month(inputs, Self.march)
        #expect(m.revenueMinor == 666_667, "two of three lessons: 3,333.34 + 3,333.33")
        let b = PrepaymentBalance.balance(groupID: 7, contactID: 101, receipts: inputs.receipts, lessonsUsed: 3, now: Self.march)
        #expect(b.lessonsBought == 3 && b.lessonsLeft == 0 && b.exhausted)
        let months = PrepaymentBalance.balance(groupID: 7, contactID: 101, receipts: [GroupEconomics.Receipt(contactID: 101, paidAtMilliseconds: Self.day(Self.march, 1), netMinor: 1, months: 2)], lessonsUsed: 0, now: BillingMonth(year: 2027, month: 4))
        #expect(months.paidThrough == "2027-04" && !months.exhausted)
    }

    static let formula = BonusFormula(version: 3, rateBasisPoints: 1000, minimumMarginMinor: 0, effectiveFrom: "2027-01")

    @Test func b6TheBonusIsAShareOfTheMarginOfGroupsThatBrokeEvenAndIsRecomputedWhenAStudentJoinsInTheThirdMonth() throws {
        // Manager 1 sold students 1–3, manager 2 students 4–6; in the third month (May)
        // manager 2 sells a seventh.
        let may = BillingMonth(year: 2027, month: 5)
        var inputs = Self.group(students: 6, in: may, managers: { $0 <= 3 ? 1 : 2 })
        let before = try BonusCalculator.report(month: may, formula: Self.formula, groups: [try GroupEconomics.month(inputs, may)], dealsWon: [1: 3, 2: 3], pinned: true)
        #expect(before.managers.map(\.managerID) == [1, 2])
        // Margin 4,000.00 split by revenue: 2,000.00 each; 10% = 200.00 each.
        #expect(before.managers.map(\.bonusMinor) == [20_000, 20_000])
        #expect(before.managers[0].groups[0].explanation.contains("10% of 2000.00 RUB"))
        inputs.students.append(GroupEconomics.Student(contactID: 107, joinedAtMilliseconds: Self.day(may, 20), managerID: 2))
        inputs.receipts.append(GroupEconomics.Receipt(contactID: 107, paidAtMilliseconds: Self.day(may, 20), netMinor: 500_000, months: 1))
        let after = try BonusCalculator.report(month: may, formula: Self.formula, groups: [try GroupEconomics.month(inputs, may)], dealsWon: [1: 3, 2: 4], pinned: true)
        // Margin 8,000.00 (35,000 − 27,000): manager 1 3/7 → 3,428.57, manager 2 4/7 → 4,571.43.
        #expect(after.managers.map { $0.groups[0].attributedMarginMinor } == [342_857, 457_143])
        #expect(after.managers.map(\.bonusMinor) == [34_286, 45_714])
        #expect(after.managers.map(\.dealsWon) == [3, 4])
        // A group that has not broken even gives nothing, said so.
        let small = try BonusCalculator.report(month: may, formula: Self.formula, groups: [try GroupEconomics.month(Self.group(students: 4, in: may, managers: { _ in 1 }), may)], dealsWon: [:], pinned: false)
        #expect(small.managers[0].bonusMinor == 0 && small.managers[0].groups[0].explanation == "no bonus: the group has not broken even")
        // The same inputs, the same report.
        let again = try BonusCalculator.report(month: may, formula: Self.formula, groups: [try GroupEconomics.month(inputs, may)], dealsWon: [1: 3, 2: 4], pinned: true)
        #expect(again.wireBytes() == after.wireBytes())
    }

    @Test func monthsParseAndBound() {
        #expect(BillingMonth(parsing: "2027-03")?.description == "2027-03")
        #expect(BillingMonth(parsing: "2027-13") == nil && BillingMonth(parsing: "27-03") == nil && BillingMonth(parsing: "2027-3") == nil)
        // G1 (issue 22 item 21): no year 0000 or 9999 for a report's month.
        #expect(BillingMonth(parsing: "0000-01") == nil && BillingMonth(parsing: "9999-12") == nil)
        let m = BillingMonth(year: 2027, month: 12)
        #expect(m.next.description == "2028-01" && m.endMilliseconds == m.next.startMilliseconds)
        #expect(BillingMonth(milliseconds: m.endMilliseconds - 1) == m)
    }
}
