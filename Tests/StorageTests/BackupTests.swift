import Foundation
import Dispatch
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

/// P5: a backup's files are of one instant, however long the copies take.
@Suite struct DatabaseCutTests {
    @Test func P5_twoDatabasesHeldByACutAreCopiedAsOfThatInstantWhileWritesGoOn() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cut-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let migrations = [Migration(1, "CREATE TABLE n (v INTEGER)")]
        let paths = ["a", "b"].map { folder.appendingPathComponent("\($0).sqlite").path }
        let databases = try paths.map { try Database(path: $0, migrations: migrations) }
        // Each write goes to a, then b: at any instant b holds a's rows or one fewer.
        for i in 0..<50 {
            for database in databases { try await database.write { try $0.run("INSERT INTO n (v) VALUES (?)", [.integer(Int64(i))]) } }
        }
        let cut = try DatabaseCut(paths)
        #expect(try cut.schemaVersion(0) == 1)
        for i in 50..<100 {
            for database in databases { try await database.write { try $0.run("INSERT INTO n (v) VALUES (?)", [.integer(Int64(i))]) } }
        }
        let copies = paths.map { $0 + ".copy" }
        for index in paths.indices { try cut.copy(index, to: copies[index]) }
        for copy in copies {
            let count = try await Database(path: copy, migrations: migrations).read { try $0.queryFirst("SELECT COUNT(*) FROM n") { $0.int(0) } }
            #expect(count == 50, "the writes after the cut are not in \(copy)")
        }
        #expect(try DatabaseFile(path: copies[0]).integrity() == "ok")
    }

    @Test func P5_aCutGivesUpWhenAServiceHoldsAWriteLongerThanItWaitsAndHoldsNothing() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cut-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let paths = ["a", "b"].map { folder.appendingPathComponent("\($0).sqlite").path }
        let databases = try paths.map { try Database(path: $0, migrations: [Migration(1, "CREATE TABLE n (v INTEGER)")]) }
        // b's service in a long write, until the cut has given up (each wait bounded).
        let writing = DispatchSemaphore(value: 0), gaveUp = DispatchSemaphore(value: 0)
        let long = Task {
            try await databases[1].write { transaction in
                try transaction.run("INSERT INTO n (v) VALUES (0)")
                writing.signal()
                _ = gaveUp.wait(timeout: .now() + 10)
            }
        }
        let started = await withCheckedContinuation { done in
            DispatchQueue.global().async { done.resume(returning: writing.wait(timeout: .now() + 10) == .success) }
        }
        #expect(started)
        #expect(throws: StorageError.self) { try DatabaseCut(paths, lockWait: .milliseconds(50)) }
        gaveUp.signal()
        try await long.value
        // a's lock was let go: its service writes at once.
        try await databases[0].write { try $0.run("INSERT INTO n (v) VALUES (1)") }
        _ = try DatabaseCut(paths, lockWait: .milliseconds(50))
    }
}
