import Foundation
import HTTP

/// `switchboard up`'s way into the console (G6): on the first start it adds the console's
/// admin person (`admin@switchboard.local`) over the API, and on every start it writes a
/// fresh one-time link for them to choose (or reset) their password to
/// DATA/console-invite.url (0600, like admin.key: whoever reads the folder is its admin
/// anyway). The link itself is never printed: terminals and logs are shared.
struct ConsoleWelcome {
    static let email = "admin@switchboard.local"
    let port: Int
    let key: String
    let data: URL

    /// What to print: the console's address and how to sign in, or why it could not be prepared.
    func prepare() async -> [String] {
        let base = "http://127.0.0.1:\(port)"
        do {
            let idFile = data.appendingPathComponent("console-admin.id")
            var id = (try? String(contentsOf: idFile, encoding: .utf8)).flatMap { Int64($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            if id == nil {
                let made = try await call("POST", "/v1/staff", #"{"firstName":"Admin","lastName":"Switchboard","role":"admin","email":"\#(Self.email)"}"#)
                id = made["id"] as? Int64 ?? (made["id"] as? Int).map(Int64.init)
                guard let id else { throw Failure(text: "the staff member has no id") }
                try write("\(id)\n", to: idFile)
            }
            let invite = try await call("POST", "/v1/staff/\(id!)/invites", nil)
            guard let path = invite["path"] as? String else { throw Failure(text: "the invite has no path") }
            let inviteFile = data.appendingPathComponent("console-invite.url")
            try write(base + path + "\n", to: inviteFile)
            return [
                "console: \(base)/  (sign in as \(Self.email))",
                "first sign-in, or a forgotten password: open the one-time link in \(inviteFile.path)",
            ]
        } catch {
            return ["console: \(base)/  (could not prepare its admin's sign-in: \(error))"]
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let text: String
        var description: String { text }
    }

    private func call(_ method: String, _ path: String, _ body: String?) async throws -> [String: Any] {
        let client = HTTPClient()
        defer { client.shutdown() }
        var headers = [("Authorization", "Bearer \(key)")]
        if body != nil { headers.append(("Content-Type", "application/json")) }
        let result = await client.send(method, host: "127.0.0.1", port: port, target: path, headers: headers, body: Array((body ?? "").utf8), timeout: .seconds(10))
        let response = try result.get()
        guard (200..<300).contains(response.status) else {
            throw Failure(text: "\(method) \(path) answered \(response.status): \(String(decoding: response.body.prefix(300), as: UTF8.self))")
        }
        return (try JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
    }

    private func write(_ text: String, to file: URL) throws {
        try? FileManager.default.removeItem(at: file)
        guard FileManager.default.createFile(atPath: file.path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw Failure(text: "cannot write \(file.path)")
        }
    }
}
