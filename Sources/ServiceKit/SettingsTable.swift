/// The table of every process's settings in Compose/README.md, written from the
/// declarations the processes read (``ServiceHost/settings``, each
/// ``HostedProcess/settings``): `swift run switchboard settings` prints it, and a test
/// holds the README to it.
public enum SettingsTable {
    /// Where the table starts and ends in the README.
    public static let begin = "<!-- settings: written by `swift run switchboard settings --write`; do not edit by hand -->"
    public static let end = "<!-- /settings -->"

    public static func markdown(_ processes: [any HostedProcess]) -> String {
        var rows = ["| variable | default | meaning |", "|---|---|---|"]
        var seen: Set<String> = []
        func add(_ name: String, _ setting: Setting) {
            guard seen.insert(name).inserted else { return }
            let meaning = setting.meaning.split(separator: "\n").joined(separator: " ")
            rows.append("| `\(name)` | \(setting.shownDefault) | \(meaning) |")
        }
        for setting in ServiceHost.settings { add(setting.name(prefix: "P"), setting) }
        for process in processes {
            for setting in process.settings { add(setting.name(prefix: process.prefix), setting) }
        }
        return rows.joined(separator: "\n") + "\n"
    }

    /// `readme` with the text between the markers replaced by the table; nil when the
    /// markers are missing.
    public static func rewritten(_ readme: String, _ processes: [any HostedProcess]) -> String? {
        guard let start = readme.firstRange(of: begin), let stop = readme[start.upperBound...].firstRange(of: end) else { return nil }
        return String(readme[..<start.upperBound]) + "\n" + markdown(processes) + String(readme[stop.lowerBound...])
    }
}
