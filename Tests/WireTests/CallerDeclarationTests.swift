import ContractSchema
import Contracts
import Foundation
import Schemas
import Testing

/// Who may call which method is declared once, in the schema (issue 24 item 3): these
/// hold the code to it. A module that calls a method must be one of the method's declared
/// callers, so a new call without a declaration fails here before a server refuses it.
@Suite struct CallerDeclarationTests {
    /// The process each module's code runs in: the identity its calls carry.
    static let identities = [
        "Gateway": "gateway", "WebhookHub": "gateway", "ContactsService": "contacts", "DealsService": "deals",
        "TelephonyService": "telephony", "SchedulingService": "scheduling", "BillingService": "billing",
        "NotificationsService": "notifications",
    ]

    static var sources: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Sources").standardized }

    /// `Contract.method` references in a module's Swift files, with the file they are in.
    static func calls(in module: String) throws -> [(contract: String, method: String, file: String)] {
        let services = Dictionary(uniqueKeysWithValues: allContracts.flatMap(\.services).map { ($0.name, Set($0.methods.map(\.name))) })
        let pattern = try NSRegularExpression(pattern: "\\b(\(services.keys.sorted().joined(separator: "|")))\\.([a-z][A-Za-z]*)\\b")
        var found: [(String, String, String)] = []
        let folder = sources.appendingPathComponent(module)
        guard let walk = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) else { return [] }
        for case let file as URL in walk where file.pathExtension == "swift" {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                let contract = String(text[Range(match.range(at: 1), in: text)!]), method = String(text[Range(match.range(at: 2), in: text)!])
                if services[contract]?.contains(method) == true { found.append((contract, method, file.lastPathComponent)) }
            }
        }
        return found
    }

    @Test func g3EveryMethodAModuleCallsDeclaresThatModulesProcessAsACaller() throws {
        let services = Dictionary(uniqueKeysWithValues: allContracts.flatMap(\.services).map { ($0.name, $0) })
        var undeclared: [String] = []
        var seen = 0
        for (module, identity) in Self.identities.sorted(by: { $0.key < $1.key }) {
            for call in try Self.calls(in: module) {
                seen += 1
                let service = services[call.contract]!
                let callers = service.callers(of: service.methods.first { $0.name == call.method }!)
                if !callers.contains(identity) && !callers.contains(CallerIdentity.anyone) {
                    undeclared.append("\(call.contract).\(call.method) in \(module)/\(call.file): \(identity) is not among its callers \(callers)")
                }
            }
        }
        // The scan found the calls (a broken path would pass with nothing seen).
        #expect(seen > 100)
        #expect(undeclared.isEmpty, "\(Set(undeclared).sorted().joined(separator: "\n"))")
    }

    @Test func g3TheCallerIdentitiesAreTheGatewayAndTheTopologysProcesses() {
        #expect(CallerIdentity.services == Topology.Process.allCases.map(\.rawValue))
        #expect(CallerIdentity.all == ["gateway"] + CallerIdentity.services)
    }

    @Test func g3TheGeneratedDescriptorsCarryTheDeclaredCallers() {
        #expect(Contacts.findStaffByNumber.callers == ["gateway", "telephony"])
        #expect(Deals.getDeal.callers == ["gateway", "notifications"])
        #expect(Events.deliver.callers == Set(CallerIdentity.services))
        #expect(Echo.echo.callers == ["*"])
    }
}
