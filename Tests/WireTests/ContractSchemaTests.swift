import ContractSchema
import Contracts
import Foundation
import Schemas
import Testing

/// Issue 10: the committed contracts are exactly what the schema generates, and the
/// generator refuses a schema that would break the wire.
@Suite struct ContractSchemaTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func theCommittedCodeIsWhatTheSchemaGenerates() throws {
        let outputs = try ContractGenerator(files: allContracts).outputs()
        #expect(!outputs.isEmpty)
        // Regenerated into a temporary folder and compared file by file.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("codegen-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        for (path, text) in outputs {
            let fresh = folder.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: fresh.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: fresh, atomically: true, encoding: .utf8)
            let committed = try? String(contentsOf: Self.root.appendingPathComponent(path), encoding: .utf8)
            #expect(committed == (try String(contentsOf: fresh, encoding: .utf8)), "\(path) differs from the schema: run `swift run switchboard-codegen`")
        }
    }

    func problems(_ file: ContractFile) -> [String] {
        do throws(SchemaError) {
            try SchemaValidator(files: [file]).validate()
            return []
        } catch {
            return error.problems
        }
    }

    /// Issue 22 item 25: one money ceiling — the document's maximums are the services'.
    @Test func d2b3TheSchemasMoneyCeilingIsTheContractsOne() {
        #expect(moneyCeiling == Money.maximumMinor)
    }

    /// Issue 22 item 32: the document's month pattern takes exactly Horizon's years (B6).
    @Test func b6TheDocumentsMonthsAreHorizonsYears() throws {
        let pattern = try NSRegularExpression(pattern: TextRule.month.pattern)
        func taken(_ year: Int64) -> Bool {
            let text = "\(year)-06"
            return pattern.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
        }
        let (first, last) = (Horizon.years.lowerBound, Horizon.years.upperBound)
        #expect(taken(first) && taken(last) && !taken(first - 1) && !taken(last + 1))
    }

    /// Issue 22 item 32: the document's currency list is the one the services know.
    @Test func b1TheDocumentsCurrenciesAreTheOnesMoneyKnows() {
        #expect(Set(TextRule.knownCurrencies) == Set(Money.exponents.keys) && TextRule.knownCurrencies.count == Money.exponents.count)
    }

    @Test func aFieldNumberIsNeverUsedTwiceNorAReservedOneAtAll() {
        let reused = ContractFile("T") {
            Message("Deal", reserved: [9], reservedNames: ["oldTitle"]) {
                Field(1, "id", .int64)
                Field(1, "title", .string)
                Field(9, "notes", .string)
                Field(10, "oldTitle", .string)
                Field(0, "zero", .string)
            }
        }
        #expect(problems(reused) == [
            "Deal.title: field number 1 is used twice",
            "Deal.notes: field number 9 is reserved (it was used before)",
            "Deal.oldTitle: the name oldTitle is reserved (it was used before)",
            "Deal.zero: field number 0 is outside 1...536870911",
        ])
    }

    /// P2: an event names a declared payload message, and one service owns each type.
    @Test func p2EventsNameADeclaredPayloadAndOneServicePublishesEachType() {
        let file = ContractFile("T") {
            Service("A", id: "t.A") {
                Service.Event("happened", "thing.happened", payload: "Thing")
                Service.Event("lost", "thing.lost", payload: "Nowhere")
            }
            Service("B", id: "t.B") {
                Service.Event("happened", "thing.happened", payload: "Thing")
            }
            Message("Thing") { Field(1, "id", .int64) }
        }
        #expect(problems(file) == [
            "A.Event.lost: no message Nowhere is declared for its payload",
            "event type thing.happened is declared by more than one service",
        ])
    }

    @Test func typesMustBeDeclaredAndEnumerationsNeedACaseZero() {
        let file = ContractFile("T") {
            Service("S", id: "s.S") {
                Service.Method("get", "Get", "Nowhere", "Empty")
            }
            Message("M") {
                Field(1, "status", .enumeration("Status"))
                Field(2, "other", .message("Missing"))
                Field(3, "flags", .repeated(.bool))
            }
            Enumeration("Status") {
                Enumeration.Case(1, "open")
            }
        }
        #expect(problems(file) == [
            "M.other: no message Missing is declared",
            "M.flags: repeated bool is not supported by the codec (strings, int64 and messages are)",
            "Status: needs a case numbered 0 (what unknown values read as)",
            "S.get: no message Nowhere is declared",
            "S.get: name who may call it (callers:)",
        ])
    }

    /// Issue 24 item 3: every method names who may call it, from the known identities.
    @Test func g3EveryMethodNamesItsCallersFromTheKnownIdentities() {
        let file = ContractFile("T") {
            Service("S", id: "s.S", callers: ["gateway"]) {
                Service.Method("get", "Get", "Empty", "Empty")
                Service.Method("put", "Put", "Empty", "Empty", callers: ["dealz"])
            }
        }
        #expect(problems(file) == ["S.put: dealz is no caller identity (gateway, contacts, deals, telephony, scheduling, billing, notifications or *)"])
        let service = file.services[0]
        #expect(service.callers(of: service.methods[1]) == ["dealz", "gateway"])
    }
}
