import Digest
import Foundation
import Storage

/// What a backup folder holds (P5), written last as `manifest.json`: a folder without
/// it is an unfinished backup. Every file with its size and SHA-256; every database
/// with its schema version and where its outbox stood at the backup's instant (the
/// events still to be delivered after a restore are those past each subscriber's mark).
struct BackupManifest: Codable, Equatable {
    /// One SQLite file of a service, copied with SQLite's online backup.
    struct DatabaseEntry: Codable, Equatable {
        /// Relative to the data folder (`deals/deals.sqlite`, `telephony-1/shard-03.sqlite`).
        var path: String
        var bytes: Int64
        var sha256: String
        var schemaVersion: Int
        /// The outbox at the backup's instant: the last sequence given and how far each
        /// subscriber had acknowledged.
        var outbox: DatabaseFile.OutboxPosition
    }

    /// Any other file of the data folder (the admin key, certificates, import spools).
    struct FileEntry: Codable, Equatable {
        var path: String
        var bytes: Int64
        var sha256: String
        /// POSIX permissions, kept so a key stays 0600.
        var mode: Int
    }

    static let fileName = "manifest.json"
    static let currentFormat = 1

    var format = Self.currentFormat
    var startedAt: Date
    /// The instant every database was held at (``DatabaseCut``).
    var cutAt: Date
    var finishedAt: Date
    var databases: [DatabaseEntry]
    var files: [FileEntry]

    static func read(from folder: URL) throws -> BackupManifest {
        let url = folder.appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw BackupError("\(url.path) is missing: not a backup, or one that did not finish")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let manifest: BackupManifest
        do {
            manifest = try decoder.decode(BackupManifest.self, from: data)
        } catch {
            throw BackupError("\(url.path) cannot be read: \(error)")
        }
        guard manifest.format == currentFormat else {
            throw BackupError("\(url.path) is of format \(manifest.format); this build reads format \(currentFormat)")
        }
        for path in manifest.databases.map(\.path) + manifest.files.map(\.path) where !BackupManifest.isSafe(path) {
            throw BackupError("\(url.path) names \(path), which is not a path inside the data folder")
        }
        return manifest
    }

    func write(to folder: URL) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: folder.appendingPathComponent(Self.fileName), options: .atomic)
    }

    /// A relative path that stays inside the folder it is joined to: a manifest is input
    /// too, and `../../etc/passwd` in one must not be written on restore.
    static func isSafe(_ path: String) -> Bool {
        !path.isEmpty && !path.hasPrefix("/") && !path.split(separator: "/", omittingEmptySubsequences: false).contains { $0 == ".." || $0 == "." || $0.isEmpty }
    }

    /// The SHA-256 of a file in hex; nil when it cannot be read.
    static func checksum(_ url: URL) -> String? {
        SHA256.digest(fileAt: url.path).map { Hex.encode($0) }
    }

    /// Size of a file; nil when it is not there.
    static func size(_ url: URL) -> Int64? {
        (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.int64Value
    }
}

/// A backup, verify or restore that cannot go on, with what to do about it.
struct BackupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
