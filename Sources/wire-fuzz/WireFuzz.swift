// Fuzzes the decoders that read bytes from the network: the frame decoder, request
// and response heads, GOAWAY bodies and messages of every field type.
//
// Run (libFuzzer, from the package root):
//   swift build -c release --product wire-fuzz --scratch-path .build-fuzz \
//     -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING
//   mkdir -p fuzz-corpus && .build-fuzz/release/wire-fuzz fuzz-corpus -max_total_time=300
// Without -DFUZZING it is a plain program that replays files: wire-fuzz FILE...
import Contracts
import Wire

#if FUZZING
/// libFuzzer's documented driver entry, for programs that have their own main.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

// SwiftPM names an executable's entry point <target>_main and aliases main to it, so
// the fuzzer starts from there rather than from libFuzzer's own main.
@_cdecl("wire_fuzz_main")
func wireFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in
        WireFuzzTarget.run(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
        return 0
    }
}
#else
import Foundation

@main
struct WireFuzzReplay {
    static func main() {
        for path in CommandLine.arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else {
                FileHandle.standardError.write(Data("wire-fuzz: cannot read \(path)\n".utf8))
                exit(2)
            }
            WireFuzzTarget.run(Array(data))
        }
    }
}
#endif

/// One fuzz input through every decoder. Decoding may fail; it must never crash,
/// hang, or allocate beyond the limits.
enum WireFuzzTarget {
    static func run(_ bytes: [UInt8]) {
        // The stream, split where the first byte says, to exercise partial frames.
        var decoder = FrameDecoder(maxLength: 64 * 1024)
        let split = bytes.isEmpty ? 0 : Int(bytes[0]) % (bytes.count + 1)
        decoder.append(Array(bytes[0..<split]))
        var frames: [Frame] = []
        func drain() -> Bool {
            while true {
                do {
                    guard let frame = try decoder.next() else { return true }
                    frames.append(frame)
                } catch {
                    return false
                }
            }
        }
        if drain() {
            decoder.append(Array(bytes[split...]))
            _ = drain()
        }
        for frame in frames {
            _ = try? CallBody<RequestHead>(frameBody: frame.body)
            if let body = try? CallBody<ResponseTrailer>(frameBody: frame.body) {
                _ = try? body.message(as: EchoMessage.self)
            }
            _ = try? GoAway(wireBytes: frame.body)
        }
        // The raw bytes as messages.
        _ = try? RequestHead(wireBytes: bytes)
        _ = try? ResponseTrailer(wireBytes: bytes)
        _ = try? EchoMessage(wireBytes: bytes)
        if let message = try? EveryField(wireBytes: bytes) {
            // Whatever decodes must encode and decode to the same value.
            let again = try? EveryField(wireBytes: message.wireBytes())
            precondition(again == message, "round trip changed a decoded message")
        }
    }
}

/// A message with a field of every kind, nested and repeated.
struct EveryField: WireMessage, Equatable {
    var signed: Int64 = 0
    var unsigned: UInt64 = 0
    var real: Double = 0
    var flag = false
    var text = ""
    var blob: [UInt8] = []
    var texts: [String] = []
    var child: FieldViolation? = nil
    var children: [FieldViolation] = []
    var optional: Int64? = nil
    var nested: [EveryFieldBox] = []

    func encode(to encoder: inout WireEncoder) {
        encoder.encode(1, signed)
        encoder.encode(2, unsigned)
        encoder.encode(3, real)
        encoder.encode(4, flag)
        encoder.encode(5, text)
        encoder.encodeBytes(6, blob)
        encoder.encode(7, texts)
        encoder.encode(8, child)
        encoder.encode(9, children)
        encoder.encode(10, optional)
        encoder.encode(11, nested)
    }

    mutating func decodeField(_ key: FieldKey, from decoder: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: signed = try decoder.int64(key)
        case 2: unsigned = try decoder.uint64(key)
        case 3: real = try decoder.double(key)
        case 4: flag = try decoder.bool(key)
        case 5: text = try decoder.string(key)
        case 6: blob = try decoder.bytes(key)
        case 7: try decoder.append(key, to: &texts)
        case 8: child = try decoder.message(key)
        case 9: try decoder.append(key, to: &children)
        case 10: optional = try decoder.int64(key)
        case 11: try decoder.append(key, to: &nested)
        default: try decoder.skip(key)
        }
    }

    static func == (a: EveryField, b: EveryField) -> Bool {
        // NaN != NaN, so compare doubles by their bits.
        a.signed == b.signed && a.unsigned == b.unsigned && a.real.bitPattern == b.real.bitPattern
            && a.flag == b.flag && a.text == b.text && a.blob == b.blob && a.texts == b.texts
            && a.child == b.child && a.children == b.children && a.optional == b.optional && a.nested == b.nested
    }
}

/// Recursion for depth limits: a box holding another EveryField.
struct EveryFieldBox: WireMessage, Equatable {
    var inner: [EveryField] = []

    func encode(to encoder: inout WireEncoder) { encoder.encode(1, inner) }

    mutating func decodeField(_ key: FieldKey, from decoder: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: try decoder.append(key, to: &inner)
        default: try decoder.skip(key)
        }
    }
}
