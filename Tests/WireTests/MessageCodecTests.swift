import TestSupport
import Testing
import Wire

@Suite struct MessageCodecTests {
    @Test func randomMessagesRoundTrip() throws {
        var rng = SplitMix64(seed: 0x5157_1C4B)
        for _ in 0..<2000 {
            let original = Sample.random(using: &rng)
            let decoded = try Sample(wireBytes: original.wireBytes())
            #expect(decoded == original)
        }
    }

    @Test func defaultsAreOmittedAndReadBack() throws {
        #expect(Sample().wireBytes().isEmpty)
        #expect(try Sample(wireBytes: []) == Sample())
    }

    @Test func optionalZeroIsDistinctFromAbsent() throws {
        var message = Sample()
        message.optionalCount = 0
        message.optionalName = ""
        let decoded = try Sample(wireBytes: message.wireBytes())
        #expect(decoded.optionalCount == 0)
        #expect(decoded.optionalName == "")
        #expect(try Sample(wireBytes: Sample().wireBytes()).optionalCount == nil)
    }

    @Test func olderReaderSkipsNewerFields() throws {
        let newer = PersonV2(
            id: -42, name: "Анна", score: 9.5, emails: ["a@example.com", "b@example.com"],
            address: Sample.Child(label: "Moscow", value: 7), visits: 1 << 40)
        let older = try PersonV1(wireBytes: newer.wireBytes())
        #expect(older == PersonV1(id: -42, name: "Анна"))
    }

    @Test func newerReaderDefaultsMissingFields() throws {
        let older = PersonV1(id: 5, name: "Ivan")
        let newer = try PersonV2(wireBytes: older.wireBytes())
        #expect(newer == PersonV2(id: 5, name: "Ivan"))
    }

    @Test func unknownEnumValueDecodesAsUnrecognized() throws {
        var encoder = WireEncoder()
        encoder.encode(13, UInt64(999))
        #expect(try Sample(wireBytes: encoder.bytes).status == .unknown)
    }

    @Test func knownByteLayout() {
        // The examples in PROTOCOL.md: id = -2 -> zigzag 3; "hi"; nested empty message.
        var encoder = WireEncoder()
        encoder.encode(1, Int64(-2))
        encoder.encode(2, "hi")
        encoder.encode(9, Sample.Child?.some(Sample.Child()))
        #expect(encoder.bytes == [0x08, 0x03, 0x12, 0x02, 0x68, 0x69, 0x4A, 0x00])
        #expect(WireEncoder.zigzag(-1) == 1 && WireEncoder.zigzag(1) == 2 && WireEncoder.zigzag(Int64.min) == UInt64.max)
    }

    @Test func longNestedMessagesGetMultiByteLengths() throws {
        var message = Sample()
        message.child = Sample.Child(label: String(repeating: "é", count: 20_000), value: 1)
        #expect(try Sample(wireBytes: message.wireBytes()) == message)
    }
}

@Suite struct MessageCodecLimitTests {
    @Test func truncatedInputFails() {
        // [08 02] id=1, then [2A 05 'hello']: a cut inside either field is an error; a cut
        // between them is a valid message that lacks the name.
        let bytes = Sample(id: 1, count: 0, name: "hello").wireBytes()
        for cut in 1..<bytes.count where cut != 2 {
            #expect(throws: WireError.self) { try Sample(wireBytes: Array(bytes[0..<cut])) }
        }
    }

    @Test func varintLongerThanTenBytesFails() {
        let bytes: [UInt8] = [0x08] + Array(repeating: 0xFF, count: 10) + [0x01]
        #expect(throws: WireError.varintTooLong) { try Sample(wireBytes: bytes) }
    }

    @Test func varintOverflowingSixtyFourBitsFails() {
        let bytes: [UInt8] = [0x10] + Array(repeating: 0xFF, count: 9) + [0x02]
        #expect(throws: WireError.varintTooLong) { try Sample(wireBytes: bytes) }
    }

    @Test func fieldNumberZeroFails() {
        #expect(throws: WireError.fieldNumberZero) { try Sample(wireBytes: [0x00, 0x01]) }
    }

    @Test func unknownWireTypeFails() {
        #expect(throws: WireError.unknownWireType(3)) { try Sample(wireBytes: [0x0B]) }
    }

    @Test func wrongWireTypeForKnownFieldFails() {
        #expect(throws: WireError.wrongWireType(field: 5, expected: .lengthDelimited, found: .varint)) {
            try Sample(wireBytes: [0x28, 0x01])
        }
    }

    @Test func invalidUTF8Fails() {
        #expect(throws: WireError.invalidUTF8(field: 5)) { try Sample(wireBytes: [0x2A, 0x02, 0xC3, 0x28]) }
    }

    @Test func lengthBeyondInputFails() {
        #expect(throws: WireError.self) { try Sample(wireBytes: [0x2A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x61]) }
    }

    @Test func nestingDeeperThanLimitFails() throws {
        var child = Sample.Child()
        for _ in 0..<40 { child = Sample.Child(label: "", value: 0, nested: [child]) }
        let bytes = Sample(child: child).wireBytes()
        #expect(throws: WireError.tooDeep(limit: 32)) { try Sample(wireBytes: bytes) }
        #expect(try Sample(wireBytes: bytes, limits: WireLimits(maxDepth: 64)).child == child)
    }

    @Test func repeatedFieldOverLimitFails() {
        let bytes = Sample(tags: Array(repeating: "", count: 11)).wireBytes()
        #expect(throws: WireError.tooManyElements(field: 7, limit: 10)) {
            try Sample(wireBytes: bytes, limits: WireLimits(maxElements: 10))
        }
    }

    @Test func randomBytesNeverCrash() {
        var rng = SplitMix64(seed: 99)
        for _ in 0..<20_000 {
            let bytes = (0..<Int.random(in: 0...40, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            _ = try? Sample(wireBytes: bytes)
        }
    }
}

extension Sample {
    init(id: Int64 = 0, count: UInt64 = 0, name: String = "", tags: [String] = [], child: Child? = nil) {
        self.init()
        self.id = id
        self.count = count
        self.name = name
        self.tags = tags
        self.child = child
    }
}
