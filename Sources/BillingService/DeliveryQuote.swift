import Contracts
import FoundationEssentials
import Glibc

/// B2: the delivery options of an address: its zone is the first (by id) one of whose
/// fragments the address contains, compared case- and width-insensitively; the zone's
/// tariffs whose rules the order meets (total at least `minOrderMinor`, at most
/// `maxOrderMinor`, weight at most `maxWeightGrams`) are the options, cheapest first.
public enum DeliveryQuote {
    public static func zone(for address: String, in zones: [DeliveryZone]) -> DeliveryZone? {
        let text = fold(address)
        guard !text.isEmpty else { return nil }
        return zones.sorted { $0.id < $1.id }.first { zone in zone.matches.contains { !fold($0).isEmpty && text.contains(fold($0)) } }
    }

    public static func options(_ zone: DeliveryZone, totalMinor: Int64, weightGrams: Int64) -> [DeliveryOption] {
        zone.tariffs.filter { t in
            totalMinor >= t.minOrderMinor && (t.maxOrderMinor.map { totalMinor <= $0 } ?? true) && (t.maxWeightGrams.map { weightGrams <= $0 } ?? true)
        }
        .map { DeliveryOption(tariff: $0.name, costMinor: $0.costMinor, leadDays: $0.leadDays) }
        .sorted { ($0.costMinor, $0.leadDays, $0.tariff) < ($1.costMinor, $1.leadDays, $1.tariff) }
    }

    static func fold(_ text: String) -> String {
        TextForm.canonical(text).lowercased().replacing("ё", with: "е").trimming(.spacesAndNewlines)
    }
}
