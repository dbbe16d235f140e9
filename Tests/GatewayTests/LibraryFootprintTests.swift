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
        // Read to the end: /proc files report no size, and a whole-file read may stop at its first page.
        let handle = try #require(FileHandle(forReadingAtPath: "/proc/\(process.process.pid)/maps"))
        let maps = String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
        try handle.close()
        process.signal(SIGKILL)
        #expect(maps.contains("FoundationEssentials"))
        for library in ["libFoundation.so", "FoundationInternationalization", "_FoundationICU", "FoundationNetworking", "libicu"] {
            #expect(!maps.contains(library), "switchboard-\(service) maps \(library)")
        }
    }
}
