import Foundation
@testable import Gateway
import Testing
import TestSupport

/// G7: an import's file read a record at a time: CSV quoting (RFC 4180) across line breaks,
/// a resumed read from a record's end, and a line past the limit refused on its own.
@Suite struct ImportFileTests {
    @Test func g7CSVRecordsKeepQuotedCommasQuotesAndLineBreaks() throws {
        let folder = try temporaryFolder("import-file")
        let path = folder.appendingPathComponent("f.csv").path
        let text = "externalId,firstName,tags\r\nc1,\"Smith, John\",\"a;b\"\r\nc2,\"Say \"\"hi\"\"\nthere\",x\nc3,Last,"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        var file = try ImportFile(path: path, offset: 0, line: 0, quoted: true)
        var records: [ImportFile.Record] = []
        while let record = try file.next() { records.append(record) }
        file.close()
        #expect(records.map(\.line) == [1, 2, 3, 5])
        #expect(records.map(\.lastLine) == [1, 2, 4, 5])
        #expect(CSVImportLayout.fields(records[1].bytes) == ["c1", "Smith, John", "a;b"])
        #expect(CSVImportLayout.fields(records[2].bytes) == ["c2", "Say \"hi\"\nthere", "x"])
        #expect(CSVImportLayout.fields(records[3].bytes) == ["c3", "Last", ""])

        // Resumed after the second record, the reader goes on from the third.
        var resumed = try ImportFile(path: path, offset: records[1].end, line: records[1].lastLine, quoted: true)
        #expect(try resumed.next()?.line == 3)
        resumed.close()

        let layout = try CSVImportLayout(kind: .contact, header: ["externalId", "firstName", "tags", "customFields.level"])
        let json = String(decoding: layout.json(["c1", "John", "a; b", "B1"]), as: UTF8.self)
        #expect(json == #"{"contact":{"externalId":"c1","firstName":"John","tags":["a","b"],"customFields":{"level":"B1"}}}"#)
        #expect(throws: Error.self) { try CSVImportLayout(kind: .contact, header: ["externalId", "nickname"]) }
    }

    @Test func g7ALineOverTheLimitIsRefusedAloneAndTheNextIsRead() throws {
        let folder = try temporaryFolder("import-file")
        let path = folder.appendingPathComponent("f.ndjson").path
        let long = String(repeating: "x", count: ImportFile.maximumRecordBytes + 10)
        try Data("{\"a\":1}\n\(long)\n{\"b\":2}".utf8).write(to: URL(fileURLWithPath: path))
        var file = try ImportFile(path: path, offset: 0, line: 0, quoted: false)
        let records = [try file.next(), try file.next(), try file.next(), try file.next()]
        file.close()
        #expect(records.map { $0?.tooLong } == [false, true, false, nil])
        #expect(records[2].map { String(decoding: $0.bytes, as: UTF8.self) } == "{\"b\":2}")
    }
}
