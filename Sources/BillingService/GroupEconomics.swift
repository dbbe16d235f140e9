import Contracts

/// B5: a group's month from plain values. Two revenues, on purpose:
/// - **revenue** (the monthly margin) is accrued: a prepayment of months is spread over
///   them (equal parts, the remainder a minor unit at a time to the first ones), a
///   prepayment of lessons over the lessons as they are used (first paid, first used), any
///   other payment counts in the month it was paid;
/// - **cash** (break-even) counts every payment when it is received, net of refunds, so
///   one prepayment can cover the cost at once.
/// Costs of a month: teacher pay × lessons held (a lesson with attendance recorded), a
/// textbook for each student who joined in it, rent, the other costs (those of every
/// month, from the group's first like rent, and those named for this month), and tax on
/// the month's revenue.
/// Break-even: the students in the order they joined; the first k whose cash up to the
/// month's end covers every cost up to it (teacher and rent since the group's first month,
/// their k textbooks, tax on their cash) — the k-th is the student from whom the group
/// pays for itself. `brokeEven` is that test for all of them.
public enum GroupEconomics {
    public struct Student: Sendable {
        public var contactID: Int64
        public var joinedAtMilliseconds: Int64
        public var dealID: Int64?
        public var managerID: Int64?
        public init(contactID: Int64, joinedAtMilliseconds: Int64, dealID: Int64? = nil, managerID: Int64? = nil) {
            (self.contactID, self.joinedAtMilliseconds, self.dealID, self.managerID) = (contactID, joinedAtMilliseconds, dealID, managerID)
        }
    }

    /// A paid payment for the group, net of refunds.
    public struct Receipt: Sendable {
        public var contactID: Int64
        public var paidAtMilliseconds: Int64
        public var netMinor: Int64
        public var months: Int64
        public var lessons: Int64
        public init(contactID: Int64, paidAtMilliseconds: Int64, netMinor: Int64, months: Int64 = 0, lessons: Int64 = 0) {
            (self.contactID, self.paidAtMilliseconds, self.netMinor, self.months, self.lessons) = (contactID, paidAtMilliseconds, netMinor, months, lessons)
        }
    }

    public struct Inputs: Sendable {
        public var groupID: Int64
        public var groupName: String
        public var costs: GroupCosts
        public var students: [Student]
        public var receipts: [Receipt]
        /// Start times of the lessons held.
        public var lessonsHeld: [Int64]
        /// Per student, the start times of the lessons they used (present or absent).
        public var usedLessons: [Int64: [Int64]]
        public init(groupID: Int64, groupName: String, costs: GroupCosts, students: [Student], receipts: [Receipt], lessonsHeld: [Int64], usedLessons: [Int64: [Int64]] = [:]) {
            (self.groupID, self.groupName, self.costs, self.students, self.receipts, self.lessonsHeld, self.usedLessons) =
                (groupID, groupName, costs, students, receipts, lessonsHeld, usedLessons)
        }
    }

    public static func month(_ inputs: Inputs, _ month: BillingMonth) throws(Money.Problem) -> GroupMonth {
        let c = inputs.costs
        let currency = c.currency
        func money(_ minor: Int64) -> String { (try? Money(minor: minor, currency: currency))?.description ?? "\(minor) \(currency)" }
        let end = month.endMilliseconds
        let students = inputs.students.filter { $0.joinedAtMilliseconds < end }
            .sorted { ($0.joinedAtMilliseconds, $0.contactID) < ($1.joinedAtMilliseconds, $1.contactID) }
        let receipts = inputs.receipts.sorted { ($0.paidAtMilliseconds, $0.contactID, $0.netMinor) < ($1.paidAtMilliseconds, $1.contactID, $1.netMinor) }
        var out = GroupMonth(groupID: inputs.groupID, groupName: inputs.groupName, month: month.description, currency: currency)
        for s in students {
            let mine = receipts.filter { $0.contactID == s.contactID }
            let cash = try Money.sum(mine.filter { $0.paidAtMilliseconds < end }.map(\.netMinor))
            let revenue = try accrued(mine, used: inputs.usedLessons[s.contactID] ?? [], in: month)
            out.students.append(StudentMonth(contactID: s.contactID, joinedAtMilliseconds: s.joinedAtMilliseconds, cashMinor: cash, revenueMinor: revenue, dealID: s.dealID, managerID: s.managerID))
        }
        out.revenueMinor = try Money.sum(out.students.map(\.revenueMinor))
        out.cashMinor = try Money.sum(out.students.map(\.cashMinor))
        out.lessonsHeld = Int64(inputs.lessonsHeld.filter(month.contains).count)
        let joined = Int64(students.filter { month.contains($0.joinedAtMilliseconds) }.count)
        let rentHere = firstMonth(inputs).map { $0 <= month } ?? false
        out.teacherMinor = try Money(minor: c.teacherPerLessonMinor, currency: currency).times(out.lessonsHeld).minor
        out.textbooksMinor = try Money(minor: c.textbookPerStudentMinor, currency: currency).times(joined).minor
        out.rentMinor = rentHere ? c.rentPerMonthMinor : 0
        out.otherMinor = try Money.sum(c.otherCosts.filter { $0.month.isEmpty ? rentHere : $0.month == month.description }.map(\.amountMinor))
        out.taxMinor = try Money(minor: out.revenueMinor, currency: currency).percent(basisPoints: c.taxBasisPoints).minor
        out.costsMinor = try Money.sum([out.teacherMinor, out.textbooksMinor, out.rentMinor, out.otherMinor, out.taxMinor])
        out.marginMinor = try (Money(minor: out.revenueMinor, currency: currency) - Money(minor: out.costsMinor, currency: currency)).minor

        // Break-even, on cash, since the group's first month.
        let months = firstMonth(inputs).map { max(0, month.index - $0.index + 1) } ?? 0
        let heldSoFar = Int64(inputs.lessonsHeld.filter { $0 < end }.count)
        // Other costs so far: each monthly one for every month since the first, each one-off of a month up to this one.
        let first = firstMonth(inputs)
        var otherSoFar: [Int64] = []
        for line in c.otherCosts {
            if line.month.isEmpty {
                otherSoFar.append(try Money(minor: line.amountMinor, currency: currency).times(months).minor)
            } else if let at = BillingMonth(parsing: line.month), let first, first <= at, at <= month {
                otherSoFar.append(line.amountMinor)
            }
        }
        let fixed = try Money.sum([try Money(minor: c.teacherPerLessonMinor, currency: currency).times(heldSoFar).minor, try Money(minor: c.rentPerMonthMinor, currency: currency).times(months).minor]
                                  + otherSoFar)
        var cash: Int64 = 0
        var reached: (k: Int64, contact: Int64, cash: Int64, cost: Int64)?
        var full: (cash: Int64, cost: Int64) = (0, fixed)
        for (i, s) in out.students.enumerated() {
            cash = try Money.sum([cash, s.cashMinor])
            let k = Int64(i + 1)
            let cost = try Money.sum([fixed, try Money(minor: c.textbookPerStudentMinor, currency: currency).times(k).minor,
                                      try Money(minor: cash, currency: currency).percent(basisPoints: c.taxBasisPoints).minor])
            if reached == nil, cash >= cost, cash > 0 { reached = (k, s.contactID, cash, cost) }
            full = (cash, cost)
        }
        out.brokeEven = !out.students.isEmpty && full.cash >= full.cost && full.cash > 0
        out.breakEvenStudents = reached?.k ?? 0
        out.breakEvenContactID = reached?.contact
        out.explanation = [
            "revenue \(money(out.revenueMinor)): payments accrued in \(month) (months-prepayments spread over their months, lesson packages over the lessons used)",
            "teacher \(money(out.teacherMinor)) = \(out.lessonsHeld) lessons held × \(money(c.teacherPerLessonMinor))",
            "textbooks \(money(out.textbooksMinor)) = \(joined) students joined × \(money(c.textbookPerStudentMinor))",
            "rent \(money(out.rentMinor))",
            "other \(money(out.otherMinor))" + (c.otherCosts.isEmpty ? "" : ": " + c.otherCosts.map { "\($0.name) \(money($0.amountMinor)) \($0.month.isEmpty ? "every month" : "once, in \($0.month)")" }.joined(separator: "; ")),
            "tax \(money(out.taxMinor)) = \(percent(c.taxBasisPoints)) of \(money(out.revenueMinor)), rounded half-even",
            "margin \(money(out.marginMinor)) = revenue \(money(out.revenueMinor)) − costs \(money(out.costsMinor))",
            reached.map { "break-even at student \($0.k) (contact \($0.contact)): cash \(money($0.cash)) received by the end of \(month) covers costs \(money($0.cost)) (teacher for \(heldSoFar) lessons, rent and other costs for \(months) months, \($0.k) textbooks, tax on the cash)" }
                ?? "not broken even: cash \(money(full.cash)) received by the end of \(month) against costs \(money(full.cost)) so far",
        ]
        return out
    }

    /// The first month with a student or a lesson held: rent runs from it.
    static func firstMonth(_ inputs: Inputs) -> BillingMonth? {
        let starts = inputs.students.map(\.joinedAtMilliseconds) + inputs.lessonsHeld
        return starts.min().map(BillingMonth.init(milliseconds:))
    }

    /// One student's revenue accrued in `month`.
    static func accrued(_ receipts: [Receipt], used: [Int64], in month: BillingMonth) throws(Money.Problem) -> Int64 {
        var parts: [Int64] = []
        var packages: [(parts: [Int64], next: Int)] = []
        for r in receipts {
            if r.months > 0 {
                let offset = month.index - BillingMonth(milliseconds: r.paidAtMilliseconds).index
                if offset >= 0 && offset < r.months { parts.append(Money.allocate(r.netMinor, parts: Int(r.months))[Int(offset)]) }
            } else if r.lessons > 0 {
                packages.append((Money.allocate(r.netMinor, parts: Int(r.lessons)), 0))
            } else if month.contains(r.paidAtMilliseconds) {
                parts.append(r.netMinor)
            }
        }
        // Lessons used take the packages in the order they were paid.
        var p = 0
        for start in used.sorted() {
            while p < packages.count && packages[p].next >= packages[p].parts.count { p += 1 }
            guard p < packages.count else { break }
            if month.contains(start) { parts.append(packages[p].parts[packages[p].next]) }
            packages[p].next += 1
        }
        return try Money.sum(parts)
    }

    static func percent(_ basisPoints: Int64) -> String {
        let whole = basisPoints / 100, rest = basisPoints % 100
        return rest == 0 ? "\(whole)%" : "\(whole).\(rest < 10 ? "0" : "")\(rest)%"
    }
}
