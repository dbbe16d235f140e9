import Contracts
import Wire

/// B2: an offer's lines priced and totalled. Per line: subtotal = quantity × unit price;
/// the discount is a percentage of the subtotal (rounded half-even, per line: B1's one
/// rule) or an amount, never more than the subtotal; total = subtotal − discount. The
/// offer's totals are the sums of its lines' — rounding happens on lines only, so the
/// lines always add up to the total a customer sees.
public enum OfferTotals {
    public struct Priced: Sendable {
        public var lines: [OfferLine]
        public var subtotalMinor: Int64
        public var discountMinor: Int64
        public var totalMinor: Int64
        public var weightGrams: Int64
    }

    /// `unitPrices` and `products` by product id; a product without a price in the list is
    /// a field error naming the line.
    public static func price(_ lines: [OfferLine], currency: String, unitPrices: [Int64: Int64], products: [Int64: Product]) throws(RPCError) -> Priced {
        var out = Priced(lines: [], subtotalMinor: 0, discountMinor: 0, totalMinor: 0, weightGrams: 0)
        var violations: [FieldViolation] = []
        do throws(Money.Problem) {
            for (i, input) in lines.enumerated() {
                guard let product = products[input.productID] else {
                    violations.append(FieldViolation(field: "lines[\(i)].productId", description: "product \(input.productID) does not exist"))
                    continue
                }
                guard let unit = unitPrices[input.productID] else {
                    violations.append(FieldViolation(field: "lines[\(i)].productId", description: "\(product.sku) has no \(currency) price in force"))
                    continue
                }
                if input.discountBasisPoints > 0 && input.discountMinor > 0 {
                    violations.append(FieldViolation(field: "lines[\(i)]", description: "give a discount as a percentage or as an amount, not both"))
                    continue
                }
                var line = input
                line.sku = product.sku
                line.name = product.name
                line.unitMinor = unit
                let subtotal = try Money(minor: unit, currency: currency).times(input.quantity)
                let discount = input.discountBasisPoints > 0 ? try subtotal.percent(basisPoints: input.discountBasisPoints) : try Money(minor: input.discountMinor, currency: currency)
                guard discount.minor <= subtotal.minor else {
                    violations.append(FieldViolation(field: "lines[\(i)].discountMinor", description: "is more than the line's \(subtotal)"))
                    continue
                }
                line.subtotalMinor = subtotal.minor
                line.discountTotalMinor = discount.minor
                line.totalMinor = try (subtotal - discount).minor
                let (weight, overflow) = product.weightGrams.multipliedReportingOverflow(by: input.quantity)
                line.weightGrams = overflow ? Int64.max : weight
                out.lines.append(line)
            }
            out.subtotalMinor = try Money.sum(out.lines.map(\.subtotalMinor))
            out.discountMinor = try Money.sum(out.lines.map(\.discountTotalMinor))
            out.totalMinor = try Money.sum(out.lines.map(\.totalMinor))
            out.weightGrams = out.lines.reduce(0) { $0 > Int64.max - $1.weightGrams ? Int64.max : $0 + $1.weightGrams }
        } catch {
            throw RPCError.invalidArgument("the offer's amounts are too large to add up (\(error))", details: [FieldViolation(field: "lines", description: "amounts overflow")])
        }
        guard violations.isEmpty else { throw RPCError.invalidArgument("the offer's lines are not valid", details: violations) }
        return out
    }
}
