import ContractSchema
import Foundation
import Schemas
import Testing
import Wire

/// Issue 10: the wire bytes of every contract message stay what they were when the
/// contracts were hand-written. The fixture was written by the hand-written code; the
/// generated code must give the same bytes for every message with every field set.
@Suite struct ContractBytesTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/contract-bytes.txt")

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @Test func everyMessageEncodesToTheBytesItAlwaysHas() throws {
        let lines = try String(contentsOf: Self.fixture, encoding: .utf8).split(separator: "\n").map { $0.split(separator: " ") }
        let expected = Dictionary(uniqueKeysWithValues: lines.map { (String($0[0]), $0.count > 1 ? String($0[1]) : "") })
        var mismatches: [String] = []
        for sample in ContractSamples.all {
            if expected[sample.name] != Self.hex(sample.bytes) { mismatches.append("\(sample.name) \(Self.hex(sample.bytes))") }
            #expect(sample.roundTrips, "\(sample.name) does not read back as itself")
        }
        #expect(mismatches.isEmpty, "bytes differ from the fixture (a line per message, as the fixture has them):\n\(mismatches.joined(separator: "\n"))")
        #expect(Set(expected.keys) == Set(ContractSamples.all.map(\.name)), "messages added or gone: add them to the fixture on purpose")
    }
}
