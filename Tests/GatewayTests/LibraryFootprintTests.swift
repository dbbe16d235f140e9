import Foundation
import Testing
import TestSupport

/// Issue 30 (memory at idle): contacts, billing, deals, scheduling and telephony run on
/// FoundationEssentials alone, so none maps ICU or FoundationInternationalization (~10 MB
/// more each at idle).
/// A module of theirs that imports all of Foundation again fails here, not in a bench.
struct LibraryFootprintTests {
    @Test(arguments: ["contacts", "billing", "deals", "scheduling", "telephony"])
    func aServiceWithoutTimeZonesNeverLoadsICU(_ service: String) async throws {
        let folder = try temporaryFolder("footprint-\(service)")
        let prefix = service.uppercased()
        let process = try await ServiceProcess(
            executable: "switchboard-\(service)",
            environment: ["\(prefix)_PORT": "0", "\(prefix)_ADMIN_PORT": "0", "\(prefix)_DATA_DIR": folder.appendingPathComponent(service).path])
        let maps = String(decoding: FileManager.default.contents(atPath: "/proc/\(process.process.pid)/maps") ?? Data(), as: UTF8.self)
        process.signal(SIGKILL)
        #expect(maps.contains("FoundationEssentials"))
        for library in ["libFoundation.so", "FoundationInternationalization", "_FoundationICU", "FoundationNetworking", "libicu"] {
            #expect(!maps.contains(library), "switchboard-\(service) maps \(library)")
        }
    }
}
