import TestSupport
import Wire

/// Exercises every kind of field the codec has.
struct Sample: WireMessage, Equatable {
    var id: Int64 = 0
    var count: UInt64 = 0
    var ratio: Double = 0
    var flag = false
    var name = ""
    var payload: [UInt8] = []
    var tags: [String] = []
    var numbers: [Int64] = []
    var child: Sample.Child? = nil
    var children: [Sample.Child] = []
    var optionalCount: Int64? = nil
    var optionalName: String? = nil
    var status: Status.Code = .ok

    struct Child: WireMessage, Equatable {
        var label = ""
        var value: Int64 = 0
        var nested: [Child] = []

        func encode(to encoder: inout WireEncoder) {
            encoder.encode(1, label)
            encoder.encode(2, value)
            encoder.encode(3, nested)
        }

        mutating func decodeField(_ key: FieldKey, from decoder: inout WireDecoder) throws(WireError) {
            switch key.number {
            case 1: label = try decoder.string(key)
            case 2: value = try decoder.int64(key)
            case 3: try decoder.append(key, to: &nested)
            default: try decoder.skip(key)
            }
        }
    }

    func encode(to encoder: inout WireEncoder) {
        encoder.encode(1, id)
        encoder.encode(2, count)
        encoder.encode(3, ratio)
        encoder.encode(4, flag)
        encoder.encode(5, name)
        encoder.encodeBytes(6, payload)
        encoder.encode(7, tags)
        encoder.encode(8, numbers)
        encoder.encode(9, child)
        encoder.encode(10, children)
        encoder.encode(11, optionalCount)
        encoder.encode(12, optionalName)
        encoder.encode(13, status)
    }

    mutating func decodeField(_ key: FieldKey, from decoder: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: id = try decoder.int64(key)
        case 2: count = try decoder.uint64(key)
        case 3: ratio = try decoder.double(key)
        case 4: flag = try decoder.bool(key)
        case 5: name = try decoder.string(key)
        case 6: payload = try decoder.bytes(key)
        case 7: try decoder.append(key, to: &tags)
        case 8: try decoder.append(key, to: &numbers)
        case 9: child = try decoder.message(key)
        case 10: try decoder.append(key, to: &children)
        case 11: optionalCount = try decoder.int64(key)
        case 12: optionalName = try decoder.string(key)
        case 13: status = try decoder.enumeration(key)
        default: try decoder.skip(key)
        }
    }

    static func random(using rng: inout SplitMix64) -> Sample {
        func text(_ rng: inout SplitMix64) -> String {
            let alphabet = Array("aZ09 -_ёжЯ🙂\u{0}\"\\")
            let n = Int.random(in: 0...20, using: &rng)
            return String((0..<n).map { _ in alphabet.randomElement(using: &rng)! })
        }
        func int(_ rng: inout SplitMix64) -> Int64 {
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: return 0
            case 1: return Int64.random(in: -200...200, using: &rng)
            case 2: return [Int64.min, Int64.max, -1, 1 << 35][Int.random(in: 0..<4, using: &rng)]
            default: return Int64(bitPattern: rng.next())
            }
        }
        func child(_ rng: inout SplitMix64, depth: Int) -> Child {
            var c = Child(label: text(&rng), value: int(&rng))
            if depth < 3 {
                c.nested = (0..<Int.random(in: 0...2, using: &rng)).map { _ in child(&rng, depth: depth + 1) }
            }
            return c
        }
        var s = Sample()
        s.id = int(&rng)
        s.count = rng.next() >> UInt64.random(in: 0...63, using: &rng)
        s.ratio = [0, -0.5, 1e300, .infinity, Double(int(&rng)) / 7][Int.random(in: 0..<5, using: &rng)]
        s.flag = Bool.random(using: &rng)
        s.name = text(&rng)
        s.payload = (0..<Int.random(in: 0...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        s.tags = (0..<Int.random(in: 0...4, using: &rng)).map { _ in text(&rng) }
        s.numbers = (0..<Int.random(in: 0...4, using: &rng)).map { _ in int(&rng) }
        s.child = Bool.random(using: &rng) ? child(&rng, depth: 0) : nil
        s.children = (0..<Int.random(in: 0...3, using: &rng)).map { _ in child(&rng, depth: 1) }
        s.optionalCount = Bool.random(using: &rng) ? int(&rng) : nil
        s.optionalName = Bool.random(using: &rng) ? text(&rng) : nil
        s.status = Status.Code.allCases.randomElement(using: &rng)!
        return s
    }
}

/// Version 1 of a contract message, as an older peer compiled it.
struct PersonV1: WireMessage, Equatable {
    var id: Int64 = 0
    var name = ""

    func encode(to encoder: inout WireEncoder) {
        encoder.encode(1, id)
        encoder.encode(2, name)
    }

    mutating func decodeField(_ key: FieldKey, from decoder: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: id = try decoder.int64(key)
        case 2: name = try decoder.string(key)
        default: try decoder.skip(key)
        }
    }
}

/// Version 2 of the same message: new fields of every wire type, none reused.
struct PersonV2: WireMessage, Equatable {
    var id: Int64 = 0
    var name = ""
    var score: Double = 0
    var emails: [String] = []
    var address: Sample.Child? = nil
    var visits: UInt64 = 0

    func encode(to encoder: inout WireEncoder) {
        encoder.encode(1, id)
        encoder.encode(2, name)
        encoder.encode(3, score)
        encoder.encode(4, emails)
        encoder.encode(5, address)
        encoder.encode(6, visits)
    }

    mutating func decodeField(_ key: FieldKey, from decoder: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: id = try decoder.int64(key)
        case 2: name = try decoder.string(key)
        case 3: score = try decoder.double(key)
        case 4: try decoder.append(key, to: &emails)
        case 5: address = try decoder.message(key)
        case 6: visits = try decoder.uint64(key)
        default: try decoder.skip(key)
        }
    }
}
