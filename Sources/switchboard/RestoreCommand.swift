import Foundation

/// `switchboard restore DIR` (P5): checks a backup as `backup --verify` does and lays its
/// files into an empty data folder (nothing running). The services' copies are of one
/// instant, so they agree with each other as they did then: an event published and not
/// yet acknowledged is in its publisher's outbox and is delivered when the services start
/// (the subscriber's inbox applies it once); nothing else needs mending.
struct RestoreCommand {
    static let usage = """
        usage: switchboard restore [--data DATA] DIR
          Verifies the backup in DIR, restores it into DATA (./data), which must be absent or
          empty (stop the services first; move the old folder away). Then start the
          services as usual: events not yet delivered at the backup's instant flow then.
        """

    let data: URL
    let folder: URL

    init(_ arguments: [String]) throws {
        var rest = arguments
        var data = "./data"
        var folder: String?
        while !rest.isEmpty {
            let item = rest.removeFirst()
            switch item {
            case "--data":
                guard !rest.isEmpty else { throw BackupCommand.UsageError(description: "--data needs a value") }
                data = rest.removeFirst()
            case _ where item.hasPrefix("--"): throw BackupCommand.UsageError(description: "unknown option \(item)")
            default:
                guard folder == nil else { throw BackupCommand.UsageError(description: "one backup folder, not \(folder!) and \(item)") }
                folder = item
            }
        }
        guard let folder else { throw BackupCommand.UsageError(description: "name the backup folder to restore") }
        self.data = URL(fileURLWithPath: data).standardizedFileURL
        self.folder = URL(fileURLWithPath: folder).standardizedFileURL
    }

    func run() throws -> Int32 {
        let manager = FileManager.default
        let faults = try BackupCommand.verify(folder)
        guard faults.isEmpty else {
            throw BackupError("\(folder.path) does not verify, nothing restored:\n" + faults.map { "  \($0)" }.joined(separator: "\n"))
        }
        if let inside = try? manager.contentsOfDirectory(atPath: data.path), !inside.isEmpty {
            throw BackupError("\(data.path) is not empty: stop the services and move it away first; a restore never mixes with live files")
        }
        let manifest = try BackupManifest.read(from: folder)
        try manager.createDirectory(at: data, withIntermediateDirectories: true)
        for path in manifest.databases.map(\.path) + manifest.files.map(\.path) {
            let target = data.appendingPathComponent(path)
            try manager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try manager.copyItem(at: folder.appendingPathComponent(path), to: target)
        }
        for file in manifest.files {
            try manager.setAttributes([.posixPermissions: file.mode], ofItemAtPath: data.appendingPathComponent(file.path).path)
        }
        print("restored \(manifest.databases.count) databases and \(manifest.files.count) files of the backup begun \(manifest.startedAt) into \(data.path), as of \(manifest.cutAt)")
        return 0
    }
}
