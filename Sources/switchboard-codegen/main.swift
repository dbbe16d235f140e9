// Writes Protocols/Contracts/*.swift and the tests' contract samples from the schema in
// Protocols/Schemas (issue 10: one declaration per message). Run from the package root:
//
//     swift run switchboard-codegen            # rewrite the committed files
//     swift run switchboard-codegen --check    # exit 1 and name the files that differ
//     swift run switchboard-codegen --root DIR # write under DIR instead
import ContractSchema
import Foundation
import Schemas

let check = CommandLine.arguments.contains("--check")
let arguments = CommandLine.arguments
let rootPath = arguments.firstIndex(of: "--root").flatMap { arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil }
let root = URL(fileURLWithPath: rootPath ?? FileManager.default.currentDirectoryPath)
do {
    let outputs = try ContractGenerator(files: allContracts).outputs()
    var stale: [String] = []
    for (path, text) in outputs.sorted(by: { $0.key < $1.key }) {
        let url = root.appendingPathComponent(path)
        let current = try? String(contentsOf: url, encoding: .utf8)
        guard current != text else { continue }
        stale.append(path)
        if !check {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
    }
    if check && !stale.isEmpty {
        FileHandle.standardError.write(Data("out of date: \(stale.joined(separator: ", ")); run `swift run switchboard-codegen`\n".utf8))
        exit(1)
    }
    print(stale.isEmpty ? "up to date" : (check ? "" : "wrote ") + stale.joined(separator: "\n"))
} catch {
    FileHandle.standardError.write(Data("switchboard-codegen: \(error)\n".utf8))
    exit(2)
}
