/// An `application/x-www-form-urlencoded` body as name → value (`+` is a space, `%XX`
/// a byte). PHP-style names keep their brackets (`additional_call_data[dst]`): the
/// adapters look both ways. A name given twice keeps its last value.
///
/// Read byte by byte, not through Foundation's percent decoding: every payment and call
/// hook of a burst is one of these, and NSString's search was a third of the relay's CPU.
enum FormBody {
    static func parse(_ body: [UInt8]) -> [String: String]? {
        pairs(body).map { Dictionary($0, uniquingKeysWith: { _, last in last }) }
    }

    /// Every name and value in order, repeated names included (`data[]=a&data[]=b`); nil
    /// when the body is not UTF-8, a `%` is not followed by two hex digits, or a decoded
    /// name or value is not UTF-8.
    static func pairs(_ body: [UInt8]) -> [(String, String)]? {
        guard String(validating: body, as: UTF8.self) != nil else { return nil }
        var out: [(String, String)] = []
        for pair in body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0]), !name.isEmpty else { return nil }
            guard let value = parts.count > 1 ? decode(parts[1]) : "" else { return nil }
            out.append((name, value))
        }
        return out
    }

    static func decode(_ bytes: ArraySlice<UInt8>) -> String? {
        guard bytes.contains(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "%") }) else {
            return String(decoding: bytes, as: UTF8.self)
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            switch bytes[i] {
            case UInt8(ascii: "+"):
                out.append(UInt8(ascii: " "))
                i += 1
            case UInt8(ascii: "%"):
                guard i + 2 < bytes.endIndex, let high = hex(bytes[i + 1]), let low = hex(bytes[i + 2]) else { return nil }
                out.append(high << 4 | low)
                i += 3
            case let byte:
                out.append(byte)
                i += 1
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    private static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
