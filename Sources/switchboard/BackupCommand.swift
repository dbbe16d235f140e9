import Foundation
import Storage

/// `switchboard backup` (P5): a hot, consistent copy of every service's files while the
/// system serves, and `--verify` of a copy. Every SQLite file is held at one instant
/// (``DatabaseCut``) and copied from there with SQLite's online backup while the services
/// write on; the manifest, written last, says what was taken and where each outbox stood.
struct BackupCommand {
    static let usage = """
        usage: switchboard backup [--data DATA] DIR
               switchboard backup [--data DATA] --into ROOT [--keep N] [--every 6h]
               switchboard backup --verify DIR
          Copies every service's databases and files under DATA (./data) into DIR (new or
          empty), with DIR/manifest.json last. --into makes ROOT/<UTC time>/ each time and
          keeps the newest N (7); --every repeats (s, m, h, d). --verify checks a backup's
          sizes, checksums, SQLite integrity and schema versions (exit 1 on any fault).
        """

    struct UsageError: Error, CustomStringConvertible {
        let description: String
    }

    enum Mode {
        case once(URL)
        case into(URL, keep: Int, every: TimeInterval?)
        case verify(URL)
    }

    let data: URL
    let mode: Mode

    init(_ arguments: [String]) throws {
        var rest = arguments
        var data = "./data"
        var into: String?, verify: String?, folder: String?
        var keep = 7
        var every: TimeInterval?
        while !rest.isEmpty {
            let item = rest.removeFirst()
            func value() throws -> String {
                guard !rest.isEmpty else { throw UsageError(description: "\(item) needs a value") }
                return rest.removeFirst()
            }
            switch item {
            case "--data": data = try value()
            case "--into": into = try value()
            case "--verify": verify = try value()
            case "--keep":
                guard let n = Int(try value()), (1...1000).contains(n) else { throw UsageError(description: "--keep must be 1-1000") }
                keep = n
            case "--every":
                let text = try value()
                guard let seconds = Self.duration(text), seconds >= 60 else {
                    throw UsageError(description: "--every takes a duration of at least a minute: 30m, 6h, 1d (not \(text))")
                }
                every = seconds
            case _ where item.hasPrefix("--"): throw UsageError(description: "unknown option \(item)")
            default:
                guard folder == nil else { throw UsageError(description: "one backup folder, not \(folder!) and \(item)") }
                folder = item
            }
        }
        self.data = URL(fileURLWithPath: data).standardizedFileURL
        switch (folder, into, verify) {
        case (let folder?, nil, nil): mode = .once(URL(fileURLWithPath: folder).standardizedFileURL)
        case (nil, let root?, nil): mode = .into(URL(fileURLWithPath: root).standardizedFileURL, keep: keep, every: every)
        case (nil, nil, let checked?): mode = .verify(URL(fileURLWithPath: checked).standardizedFileURL)
        default: throw UsageError(description: "name one of DIR, --into ROOT or --verify DIR")
        }
    }

    func run() throws -> Int32 {
        switch mode {
        case .once(let folder):
            try Self.backUp(data, into: folder)
            return 0
        case .verify(let folder):
            let faults = try Self.verify(folder)
            for fault in faults { print("fault: \(fault)") }
            print(faults.isEmpty ? "\(folder.path): backup verified" : "\(folder.path): \(faults.count) fault(s)")
            return faults.isEmpty ? 0 : 1
        case .into(let root, let keep, let every):
            while true {
                let folder = root.appendingPathComponent(Self.folderName(Date()))
                do {
                    try Self.backUp(data, into: folder)
                    try Self.prune(root, keep: keep)
                } catch {
                    // A scheduled run keeps its schedule; a failed one is said and left.
                    FileHandle.standardError.write(Data("switchboard: backup into \(folder.path) failed: \(error)\n".utf8))
                    if every == nil { return 1 }
                }
                guard let every else { return 0 }
                Thread.sleep(forTimeInterval: every)
            }
        }
    }

    /// Takes the backup of `data` into `folder` (absent or empty).
    static func backUp(_ data: URL, into folder: URL) throws {
        let manager = FileManager.default
        guard manager.fileExists(atPath: data.path) else { throw BackupError("\(data.path) does not exist: name the data folder with --data") }
        if let inside = try? manager.contentsOfDirectory(atPath: folder.path), !inside.isEmpty {
            throw BackupError("\(folder.path) is not empty: a backup goes into a new or empty folder, never over another")
        }
        guard !folder.path.hasPrefix(data.path + "/") else { throw BackupError("\(folder.path) is inside the data folder \(data.path)") }
        try manager.createDirectory(at: folder, withIntermediateDirectories: true)
        let started = Date()
        let (databases, files) = try contents(of: data)
        let cut = try hold(databases.map { data.appendingPathComponent($0).path })
        let cutAt = Date()
        var databaseEntries: [BackupManifest.DatabaseEntry] = []
        for (index, path) in databases.enumerated() {
            let target = folder.appendingPathComponent(path)
            try manager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try cut.copy(index, to: target.path + ".partial")
            try manager.moveItem(atPath: target.path + ".partial", toPath: target.path)
            databaseEntries.append(.init(
                path: path, bytes: BackupManifest.size(target) ?? 0, sha256: BackupManifest.checksum(target) ?? "",
                schemaVersion: try cut.schemaVersion(index), outbox: try cut.outboxPosition(index)))
        }
        var fileEntries: [BackupManifest.FileEntry] = []
        for path in files {
            let source = data.appendingPathComponent(path), target = folder.appendingPathComponent(path)
            try manager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            // A file that went away meanwhile (an import's spool finished) is not part of it.
            guard (try? manager.copyItem(at: source, to: target)) != nil else { continue }
            let mode = (try? manager.attributesOfItem(atPath: source.path)[.posixPermissions] as? NSNumber)?.intValue ?? 0o600
            fileEntries.append(.init(path: path, bytes: BackupManifest.size(target) ?? 0, sha256: BackupManifest.checksum(target) ?? "", mode: mode))
        }
        let manifest = BackupManifest(startedAt: started, cutAt: cutAt, finishedAt: Date(), databases: databaseEntries, files: fileEntries)
        try manifest.write(to: folder)
        let bytes = databaseEntries.reduce(0) { $0 + $1.bytes } + fileEntries.reduce(0) { $0 + $1.bytes }
        print("backed up \(databaseEntries.count) databases and \(fileEntries.count) files (\(bytes) bytes) from \(data.path) into \(folder.path) in \(String(format: "%.1f", manifest.finishedAt.timeIntervalSince(started))) s")
    }

    /// Every database held at one instant (``DatabaseCut``); a long write in a service
    /// makes a try give up at once (its writers must not wait on us), so a few are made.
    static func hold(_ paths: [String]) throws -> DatabaseCut {
        for attempt in 1...4 {
            let held = Result { () throws(StorageError) in try DatabaseCut(paths) }
            switch held {
            case .success(let cut): return cut
            case .failure(let error):
                guard error.kind == .busy else { throw error }
                Thread.sleep(forTimeInterval: 0.2 * Double(attempt))
            }
        }
        return try DatabaseCut(paths)
    }

    /// What a backup of `data` copies: its SQLite files and its other files, relative,
    /// sorted; journals and a shard's hand-over copy (T12) are not part of a database.
    static func contents(of data: URL) throws -> (databases: [String], files: [String]) {
        guard let walker = FileManager.default.enumerator(at: data, includingPropertiesForKeys: [.isRegularFileKey]) else {
            throw BackupError("\(data.path) cannot be read")
        }
        var databases: [String] = [], files: [String] = []
        let root = data.resolvingSymlinksInPath().path
        for case let url as URL in walker {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            let full = url.resolvingSymlinksInPath().path
            guard full.hasPrefix(root + "/") else { continue }
            let path = String(full.dropFirst(root.count + 1))
            if ["-wal", "-shm", "-journal", ".partial", ".handoff.sqlite"].contains(where: { path.hasSuffix($0) }) { continue }
            if path.hasSuffix(".sqlite") { databases.append(path) } else { files.append(path) }
        }
        return (databases.sorted(), files.sorted())
    }

    /// Every fault of the backup in `folder`: a file missing, of another size or checksum,
    /// a database SQLite finds damaged or at another schema version. Empty when sound.
    static func verify(_ folder: URL) throws -> [String] {
        let manifest = try BackupManifest.read(from: folder)
        var faults: [String] = []
        let entries = manifest.databases.map { ($0.path, $0.bytes, $0.sha256) } + manifest.files.map { ($0.path, $0.bytes, $0.sha256) }
        for (path, bytes, sha256) in entries {
            let url = folder.appendingPathComponent(path)
            guard let size = BackupManifest.size(url) else {
                faults.append("\(path) is missing")
                continue
            }
            if size != bytes { faults.append("\(path) is \(size) bytes; the manifest says \(bytes)") }
            else if BackupManifest.checksum(url) != sha256 { faults.append("\(path) does not match its SHA-256 in the manifest") }
        }
        for entry in manifest.databases where !faults.contains(where: { $0.hasPrefix(entry.path + " ") }) {
            let file = DatabaseFile(path: folder.appendingPathComponent(entry.path).path)
            do {
                let integrity = try file.integrity()
                if integrity != "ok" { faults.append("\(entry.path) is damaged: \(integrity)") }
                let version = try file.schemaVersion()
                if version != entry.schemaVersion { faults.append("\(entry.path) is at schema version \(version); the manifest says \(entry.schemaVersion)") }
            } catch {
                faults.append("\(entry.path) cannot be opened: \(error)")
            }
        }
        return faults
    }

    /// Removes all but the newest `keep` backups under `root` (only folders this command
    /// names, and only finished ones count towards keeping).
    static func prune(_ root: URL, keep: Int) throws {
        let manager = FileManager.default
        let names = try manager.contentsOfDirectory(atPath: root.path).filter { $0.count == 16 && $0.hasSuffix("Z") }.sorted()
        let finished = names.filter { manager.fileExists(atPath: root.appendingPathComponent($0).appendingPathComponent(BackupManifest.fileName).path) }
        guard finished.count > keep, let oldestKept = finished.suffix(keep).first else { return }
        for name in names where name < oldestKept {
            try manager.removeItem(at: root.appendingPathComponent(name))
        }
    }

    /// `20261206T120000Z`: sorts as it was taken.
    static func folderName(_ time: Date) -> String {
        time.formatted(Date.ISO8601FormatStyle(dateSeparator: .omitted, timeSeparator: .omitted))
    }

    static func duration(_ text: String) -> TimeInterval? {
        guard let unit = text.last, let number = Double(text.dropLast()), number > 0 else { return nil }
        switch unit {
        case "s": return number
        case "m": return number * 60
        case "h": return number * 3600
        case "d": return number * 86400
        default: return nil
        }
    }
}
