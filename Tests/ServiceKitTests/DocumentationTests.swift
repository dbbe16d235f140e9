import Foundation
import Testing

/// Issue 23 item 6: the documentation lives in the repository and resolves — every rule
/// id the code and the tests name is a rule of Sources/DOMAIN.md, and every relative link
/// of every Markdown file reaches a file (and, with `#`, one of its headings).
@Suite struct DocumentationTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every file under the package's folders whose name ends with `suffix`, skipping builds.
    func files(endingWith suffix: String) -> [URL] {
        let enumerator = FileManager.default.enumerator(at: Self.root, includingPropertiesForKeys: nil)
        var found: [URL] = []
        while let url = enumerator?.nextObject() as? URL {
            if url.lastPathComponent.hasPrefix(".") && url.lastPathComponent != ".ci" { enumerator?.skipDescendants(); continue }
            if url.path.hasSuffix(suffix) { found.append(url) }
        }
        return found
    }

    func matches(_ pattern: String, in text: String, group: Int = 0) -> [String] {
        let expression = try! NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines])
        return expression.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            Range(match.range(at: group), in: text).map { String(text[$0]) }
        }
    }

    @Test func everyRuleIdTheCodeAndTestsNameIsADomainRule() throws {
        let domain = try String(contentsOf: Self.root.appendingPathComponent("Sources/DOMAIN.md"), encoding: .utf8)
        let rules = Set(matches(#"^- ([CDTSBNGP][0-9]+) "#, in: domain, group: 1))
        #expect(rules.count >= 59)
        var unknown: [String: String] = [:]
        for file in files(endingWith: ".swift") {
            let text = try String(contentsOf: file, encoding: .utf8)
            // Test names start with the ids they prove (`t10p2…`); comments cite them as `T10`.
            let prefixes = matches(#"@Test func ((?:[cdtsbngp][0-9]+)+)"#, in: text, group: 1)
            let named = prefixes.flatMap { matches(#"[cdtsbngp][0-9]+"#, in: $0).map { $0.uppercased() } }
            for id in named + matches(#"(?<![\w.])[CDTSBNGP][1-9][0-9]?(?![\w.]|:[0-9])"#, in: text) where !rules.contains(id) {
                unknown[id] = file.path.replacingOccurrences(of: Self.root.path + "/", with: "")
            }
        }
        #expect(unknown.isEmpty, "ids that are not rules of Sources/DOMAIN.md: \(unknown)")
    }

    @Test func everyRelativeLinkInTheDocumentationResolves() throws {
        func slug(_ heading: String) -> String {
            String(heading.lowercased().unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == " " || $0 == "_" })
                .replacingOccurrences(of: " ", with: "-")
        }
        var broken: [String] = []
        let documents = files(endingWith: ".md")
        #expect(documents.count >= 12)
        for file in documents {
            var text = try String(contentsOf: file, encoding: .utf8)
            // Code blocks hold shell and JSON, not links.
            text = text.replacingOccurrences(of: #"```.*?```"#, with: "", options: .regularExpression)
            for target in matches(#"\]\(([^)\s]+)\)"#, in: text, group: 1) where !target.hasPrefix("http") && !target.hasPrefix("mailto:") {
                let parts = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                let destination = parts[0].isEmpty ? file : file.deletingLastPathComponent().appendingPathComponent(parts[0]).standardizedFileURL
                guard FileManager.default.fileExists(atPath: destination.path) else { broken.append("\(file.lastPathComponent) → \(target)"); continue }
                if parts.count == 2, destination.pathExtension == "md" {
                    let headings = matches(#"^#+ (.*)$"#, in: try String(contentsOf: destination, encoding: .utf8), group: 1).map(slug)
                    if !headings.contains(parts[1]) { broken.append("\(file.lastPathComponent) → \(target) (no such heading)") }
                }
            }
        }
        #expect(broken.isEmpty, "\(broken)")
    }

    /// Prose is wrapped at 120 characters; tables, code blocks and a line whose only
    /// overflow is one unbreakable code span are left as they are.
    @Test func proseLinesAreWrappedAt120Characters() throws {
        var long: [String] = []
        for file in files(endingWith: ".md") {
            var code = false
            for (number, line) in try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                if line.hasPrefix("```") { code.toggle() }
                guard !code, line.count > 120, !line.hasPrefix("|") else { continue }
                // Breakable: a space outside backticks within the first 120 characters.
                var inCode = false, breakable = false
                for character in line.prefix(120) {
                    if character == "`" { inCode.toggle() } else if character == " " && !inCode { breakable = true }
                }
                let spans = line.split(separator: "`", omittingEmptySubsequences: false)
                let longestSpan = stride(from: 1, to: spans.count, by: 2).map { spans[$0].count }.max() ?? 0
                if breakable && longestSpan < 100 { long.append("\(file.lastPathComponent):\(number + 1)") }
            }
        }
        #expect(long.isEmpty, "wrap these at 120 characters: \(long)")
    }
}
