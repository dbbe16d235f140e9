import BillingService
import Contracts
import Testing

/// B1 as plain values.
@Suite struct MoneyTests {
    @Test func b1EachCurrencyHasItsOwnExponentAndAmountsAreExact() throws {
        #expect(try Money(parsing: "1234.5", currency: "RUB").minor == 123_450)
        #expect(try Money(parsing: "1234", currency: "JPY").minor == 1234)
        #expect(try Money(parsing: "1.234", currency: "KWD").minor == 1234)
        #expect(throws: Money.Problem.tooManyDecimals("1.5", allowed: 0)) { try Money(parsing: "1.5", currency: "JPY") }
        #expect(throws: Money.Problem.notAnAmount("1e3")) { try Money(parsing: "1e3", currency: "RUB") }
        #expect(throws: Money.Problem.unknownCurrency("XXX")) { try Money(minor: 1, currency: "XXX") }
        #expect(throws: Money.Problem.overflow) { try Money(parsing: "92233720368547758.08", currency: "RUB") }
        #expect(try Money(minor: 123_450, currency: "RUB").description == "1234.50 RUB")
        #expect(try Money(minor: 1234, currency: "KWD").description == "1.234 KWD")
        #expect(try Money(minor: -5, currency: "JPY").description == "-5 JPY")
    }

    @Test func b1ArithmeticRefusesOverflowAndMixedCurrenciesAndRoundsHalfToEven() throws {
        let rub = try Money(minor: Int64.max, currency: "RUB")
        #expect(throws: Money.Problem.overflow) { try rub + Money(minor: 1, currency: "RUB") }
        #expect(throws: Money.Problem.differentCurrencies("RUB", "USD")) { try Money(minor: 1, currency: "RUB") + Money(minor: 1, currency: "USD") }
        #expect(throws: Money.Problem.overflow) { try rub.times(2) }
        // 12.5% of 1.00 is 0.125 → 0.12 (even); of 1.20 it is 0.15 exactly; of 0.20: 0.025 → 0.02; of 0.28: 0.035 → 0.04.
        #expect(try Money(minor: 100, currency: "RUB").percent(basisPoints: 1250).minor == 12)
        #expect(try Money(minor: 120, currency: "RUB").percent(basisPoints: 1250).minor == 15)
        #expect(try Money(minor: 20, currency: "RUB").percent(basisPoints: 1250).minor == 2)
        #expect(try Money(minor: 28, currency: "RUB").percent(basisPoints: 1250).minor == 4)
        #expect(Money.divideHalfEven(-25, 10) == -2 && Money.divideHalfEven(-35, 10) == -4)
    }

    @Test func b1SharesAndSplitsAddUpExactly() throws {
        // 1000.00 over 3 months: 333.34 + 333.33 + 333.33, never a kopeck lost or made.
        #expect(Money.allocate(100_000, parts: 3) == [33_334, 33_333, 33_333])
        #expect(Money.allocate(-5, parts: 2) == [-3, -2])
        #expect(try Money.sum(Money.allocate(7_777_777, parts: 12)) == 7_777_777)
        // A margin share in 128 bits: no overflow where a × b would wrap in 64.
        #expect(try Money.scaled(Int64.max / 2, times: 6, over: 12) == 2_305_843_009_213_693_952, "…951.5 → …952 (even)")
        #expect(try Money.scaled(10, times: 1, over: 4) == 2, "2.5 → 2 (even)")
        #expect(try Money.scaled(-10, times: 3, over: 4) == -8, "-7.5 → -8 (even)")
        #expect(throws: Money.Problem.overflow) { try Money.scaled(Int64.max, times: Int64.max, over: 1) }
    }
}
