import Contracts
import Foundation
import ServiceKit
import Testing
@testable import switchboard

/// Issue 23 item 6: the table of settings is written from what the services read.
@Suite struct SettingsTableTests {
    @Test func p1ComposeReadmeListsExactlyTheSettingsTheServicesRead() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Compose/README.md").standardized.path
        let readme = try String(contentsOfFile: path, encoding: .utf8)
        let rewritten = try #require(SettingsTable.rewritten(readme, Topology.Process.hosted), "Compose/README.md lost its settings markers")
        #expect(rewritten == readme, "Compose/README.md's settings differ from the declarations; run `swift run switchboard settings --write`")
        let table = SettingsTable.markdown(Topology.Process.hosted)
        for name in ["P_PORT", "DEALS_LEAD_WAIT_MS", "TELEPHONY_SHARDS", "NOTIFICATIONS_ADMIN_CHAT", "SWITCHBOARD_DEFAULT_COUNTRY"] {
            #expect(table.contains("| `\(name)` |"), "\(name)")
        }
    }
}
