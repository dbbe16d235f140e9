import Contracts
import Foundation
import Storage
import Testing
import TestSupport

@testable import Gateway

/// C8 for imports: a person erased leaves no refused row naming them in any import, and no
/// file of a finished import; an import still being received waits (its rows meet contacts'
/// refusal when read).
@Suite struct ImportErasureTests {
    @Test func c8g7AnErasedPersonsRowsLeaveFinishedImportsAndARunningOneIsWaitedFor() async throws {
        let folder = try temporaryFolder("import-erasure")
        let database = try Database(path: folder.appendingPathComponent("gateway.sqlite").path, migrations: GatewaySchema.migrations)
        let jobs = ImportJobs(database: database, directory: folder.appendingPathComponent("imports").path)
        let rows = Array("firstName,phones\nZinaida,+79165557001\nOleg,+79165557002\n".utf8)
        var failed = try await jobs.create(NewImport(source: "amo", kind: .contact, more: true), format: .csv, by: "api:admin", firstPart: rows)
        failed.state = .failed
        failed.errors = [ImportError(line: 2, field: "phones", description: "+79165557001 is taken"), ImportError(line: 3, field: "phones", description: "other")]
        try await jobs.save(failed)
        let receiving = try await jobs.create(NewImport(source: "amo", kind: .contact, more: true), format: .csv, by: "api:admin", firstPart: rows)

        let found = try await jobs.erase(["+79165557001", "79165557001"])
        #expect(found.errors == 1 && found.files == 1 && found.waiting == 1, "\(found)")
        #expect(try await jobs.get(failed.id)?.errors.map(\.description) == ["other"])
        #expect(!FileManager.default.fileExists(atPath: jobs.path(failed.id)) && FileManager.default.fileExists(atPath: jobs.path(receiving.id)))
        // A needle across the edge of two reads is still found.
        let big = folder.appendingPathComponent("big.data")
        try Data(Array(repeating: UInt8(ascii: "x"), count: (1 << 20) - 5) + Array("+79165557001".utf8)).write(to: big)
        #expect(try ImportJobs.file(big.path, holdsAnyOf: [Array("+79165557001".utf8)]))
        #expect(try !ImportJobs.file(big.path, holdsAnyOf: [Array("+79165557002".utf8)]))
        try await database.close()
    }
}
