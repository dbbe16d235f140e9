import Foundation
import Storage
import Testing

/// The consistent copy a shard hand-off sends (T12).
@Suite struct BackupTests {
    @Test func aBackupTakenWhileWritesGoOnIsAWholeDatabaseOnItsOwn() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("backup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let migrations = [Migration(1, "CREATE TABLE n (v INTEGER)")]
        let database = try Database(path: folder.appendingPathComponent("a.sqlite").path, migrations: migrations)
        for i in 0..<500 { try await database.write { try $0.run("INSERT INTO n (v) VALUES (?)", [.integer(Int64(i))]) } }
        let writer = Task {
            for i in 500..<1000 { try await database.write { try $0.run("INSERT INTO n (v) VALUES (?)", [.integer(Int64(i))]) } }
        }
        let copyPath = folder.appendingPathComponent("copy.sqlite").path
        try await database.backup(to: copyPath)
        try await writer.value
        #expect(!FileManager.default.fileExists(atPath: copyPath + "-wal"))
        let copy = try Database(path: copyPath, migrations: migrations)
        let count = try await copy.read { try $0.queryFirst("SELECT COUNT(*), MAX(v) FROM n") { ($0.int(0), $0.int(1)) } }
        // Everything committed before the copy began, and a prefix of what came during it.
        #expect(count!.0 >= 500 && count!.0 <= 1000 && count!.1 == count!.0 - 1)
        #expect(try await copy.read { try $0.queryFirst("PRAGMA quick_check") { $0.string(0) } } == "ok")
    }
}
