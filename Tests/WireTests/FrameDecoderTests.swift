import TestSupport
import Contracts
import Testing
import Wire

@Suite struct FrameDecoderTests {
    func sampleFrames() -> [Frame] {
        var rng = SplitMix64(seed: 7)
        return (0..<50).map { i in
            let kind = [FrameKind.request, .response, .cancel, .ping, .pong, .goAway][i % 6]
            let body = (0..<Int.random(in: 0...3000, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            return Frame(kind: kind, requestID: UInt32(i * 7919), body: body)
        }
    }

    func decodeAll(_ chunks: [[UInt8]]) throws -> [Frame] {
        var decoder = FrameDecoder()
        var frames: [Frame] = []
        for chunk in chunks {
            decoder.append(chunk)
            while let frame = try decoder.next() { frames.append(frame) }
        }
        #expect(decoder.bufferedByteCount == 0)
        return frames
    }

    @Test func wholeStreamAtOnce() throws {
        let frames = sampleFrames()
        let stream = frames.flatMap { $0.encoded() }
        #expect(try decodeAll([stream]) == frames)
    }

    @Test func byteByByte() throws {
        let frames = sampleFrames()
        let stream = frames.flatMap { $0.encoded() }
        #expect(try decodeAll(stream.map { [$0] }) == frames)
    }

    @Test func randomSplits() throws {
        let frames = sampleFrames()
        let stream = frames.flatMap { $0.encoded() }
        var rng = SplitMix64(seed: 11)
        for _ in 0..<30 {
            var chunks: [[UInt8]] = []
            var i = 0
            while i < stream.count {
                let n = min(stream.count - i, Int.random(in: 1...5000, using: &rng))
                chunks.append(Array(stream[i..<(i + n)]))
                i += n
            }
            #expect(try decodeAll(chunks) == frames)
        }
    }

    @Test func headerLayoutIsAsSpecified() {
        let bytes = Frame(kind: .ping, flags: 0x0102, requestID: 0xA0B0_C0D0, body: [9, 9]).encoded()
        #expect(bytes == [0, 0, 0, 10, 1, 4, 0x01, 0x02, 0xA0, 0xB0, 0xC0, 0xD0, 9, 9])
    }

    @Test func oversizedLengthFailsBeforeBuffering() {
        var decoder = FrameDecoder(maxLength: 1024)
        decoder.append([0x7F, 0xFF, 0xFF, 0xFF])
        #expect(throws: WireError.frameTooLarge(length: 0x7FFF_FFFF, limit: 1024)) { try decoder.next() }
        // Only the four length bytes are held: nothing was reserved for the claimed body.
        #expect(decoder.bufferedByteCount == 4)
    }

    @Test func frameAtExactlyTheLimitIsAccepted() throws {
        var decoder = FrameDecoder(maxLength: 8 + 100)
        decoder.append(Frame(kind: .ping, requestID: 0, body: Array(repeating: 1, count: 100)).encoded())
        #expect(try decoder.next()?.body.count == 100)
        decoder.append(Frame(kind: .ping, requestID: 0, body: Array(repeating: 1, count: 101)).encoded())
        #expect(throws: WireError.frameTooLarge(length: 109, limit: 108)) { try decoder.next() }
    }

    @Test func lengthShorterThanHeaderFails() {
        var decoder = FrameDecoder()
        decoder.append([0, 0, 0, 3, 1, 1, 0])
        #expect(throws: WireError.frameTooShort(length: 3)) { try decoder.next() }
    }

    @Test func unsupportedVersionFails() {
        var decoder = FrameDecoder()
        decoder.append([0, 0, 0, 8, 2, 1, 0, 0, 0, 0, 0, 1])
        #expect(throws: WireError.unsupportedVersion(2)) { try decoder.next() }
    }

    @Test func unknownKindFails() {
        var decoder = FrameDecoder()
        decoder.append([0, 0, 0, 8, 1, 99, 0, 0, 0, 0, 0, 1])
        #expect(throws: WireError.unknownFrameKind(99)) { try decoder.next() }
    }

    @Test func partialFrameWaitsForMoreBytes() throws {
        var decoder = FrameDecoder()
        let bytes = Frame(kind: .cancel, requestID: 5).encoded()
        decoder.append(Array(bytes[0..<11]))
        #expect(try decoder.next() == nil)
        decoder.append([bytes[11]])
        #expect(try decoder.next() == Frame(kind: .cancel, requestID: 5))
    }
}

@Suite struct CallBodyTests {
    @Test func requestHeadAndMessageRoundTrip() throws {
        let head = RequestHead(
            method: "switchboard.diagnostics.Echo/Echo", timeoutMicroseconds: 250_000,
            metadata: [Metadata.Entry(key: "request-id", value: "r-1")])
        let message = Sample(id: 7, name: "x")
        let bytes = Frame.encodeCall(kind: .request, requestID: 3, head: head) { message.encode(to: &$0) }
        var decoder = FrameDecoder()
        decoder.append(bytes)
        let frame = try #require(try decoder.next())
        #expect(frame.kind == .request && frame.requestID == 3)
        let body = try CallBody<RequestHead>(frameBody: frame.body)
        #expect(body.head == head)
        #expect(try body.message(as: Sample.self) == message)
    }

    @Test func headLongerThanLimitFails() {
        var encoder = WireEncoder()
        encoder.writeVarint(UInt64(RequestHead.maxEncodedLength + 1))
        #expect(throws: WireError.self) { try CallBody<RequestHead>(frameBody: encoder.bytes) }
    }

    @Test func tooManyMetadataEntriesFail() {
        let head = RequestHead(
            method: "m", timeoutMicroseconds: 0,
            metadata: (0...RequestHead.maxMetadataEntries).map { Metadata.Entry(key: "k\($0)", value: "v") })
        var encoder = WireEncoder()
        encoder.writeLengthPrefixed { head.encode(to: &$0) }
        #expect(throws: WireError.tooManyElements(field: 3, limit: RequestHead.maxMetadataEntries)) {
            try CallBody<RequestHead>(frameBody: encoder.bytes)
        }
    }

    @Test func statusCodesAreGRPCs() {
        #expect(Status.Code.allCases.count == 17)
        #expect(Status.Code.unavailable.rawValue == 14 && Status.Code.unauthenticated.rawValue == 16)
        #expect(Status.Code.allCases.filter(\.isRetryable) == [.unavailable])
        #expect(Status.Code.failedPrecondition.name == "failed_precondition")
    }
}

/// The annotated exchange in PROTOCOL.md, byte for byte.
@Suite struct ProtocolDocumentExampleTests {
    @Test func requestMatchesTheSpecHexDump() {
        let head = RequestHead(method: "switchboard.diagnostics.Echo/Echo", timeoutMicroseconds: 250_000, metadata: [])
        let bytes = Frame.encodeCall(kind: .request, requestID: 1, head: head) {
            EchoMessage(id: 42, text: "hello").encode(to: &$0)
        }
        #expect(hex(bytes) == """
            00 00 00 39 01 01 00 00 00 00 00 01 27 0a 21 73 77 69 74 63 68 62 6f 61 72 64 2e 64 69 61 67 \
            6e 6f 73 74 69 63 73 2e 45 63 68 6f 2f 45 63 68 6f 10 90 a1 0f 08 54 12 05 68 65 6c 6c 6f
            """)
    }

    @Test func responseMatchesTheSpecHexDump() {
        let bytes = Frame.encodeCall(kind: .response, requestID: 1, head: ResponseTrailer()) {
            EchoMessage(id: 42, text: "hello").encode(to: &$0)
        }
        #expect(hex(bytes) == "00 00 00 12 01 02 00 00 00 00 00 01 00 08 54 12 05 68 65 6c 6c 6f")
    }

    @Test func errorTrailerMatchesTheSpecExample() {
        var trailer = ResponseTrailer()
        trailer.code = .notFound
        trailer.message = "contact 7 does not exist"
        var encoder = WireEncoder()
        encoder.writeLengthPrefixed { trailer.encode(to: &$0) }
        #expect(Array(encoder.bytes.prefix(5)) == [0x1c, 0x08, 0x05, 0x12, 0x18])
    }

    @Test func anErrorWithThousandsOfProblemsStillFitsTheHeadLimitAndSaysHowManyAreLeftOut() {
        let details = (0..<2000).map { FieldViolation(field: "regions[\($0)].name", description: "\"moscow\" appears twice") }
        let trailer = ResponseTrailer(error: .invalidArgument("the settings are not valid", details: details))
        var encoder = WireEncoder()
        trailer.encode(to: &encoder)
        #expect(encoder.bytes.count <= RequestHead.maxEncodedLength)
        #expect(trailer.details.count > 100 && trailer.details.count < 2000)
        #expect(trailer.message.hasSuffix("(\(2000 - trailer.details.count) more problems not listed)"))
        #expect(ResponseTrailer(error: .invalidArgument(String(repeating: "é", count: 5000))).message.utf8.count <= 4096)
    }

    func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(($0 >> 4), radix: 16) + String($0 & 0xF, radix: 16) }.joined(separator: " ")
    }
}
