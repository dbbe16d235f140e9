import Contracts
import Digest
import Foundation
import ServiceKit
import Sockets
import Storage
import Synchronization
import Wire

/// An integration as the intake needs it: how its hooks are authenticated and how big
/// they may be.
public struct IntegrationEntry: Sendable {
    public let id: Int64
    public let name: String
    public let kind: IntegrationKind
    /// The provider's signing key (kinds that sign).
    let secret: [UInt8]
    /// SHA-256 of the URL token (kinds that sign nothing).
    let tokenDigest: [UInt8]
    public let maxBodyBytes: Int
    public let apiBaseURL: String
    let apiToken: String
    let accountID: String
    var paymentOpens: PaymentOpens = .unspecified
    /// G7: Switchboard's changes are sent to it (amocrm, bitrix24), those made since `pushSince` (milliseconds).
    var pushBack = false
    var pushSince: Int64 = 0
}

/// The integrations admins configure (G2), in the gateway's SQLite file and, for the
/// intake, in memory: made and revoked over the admin API, in force at once. Signing
/// secrets are kept as given (an HMAC needs the key itself); URL tokens only as SHA-256.
public final class IntegrationStore: Sendable {
    static let defaultMaxBodyBytes = 262_144

    private let database: Database
    private let byName = Mutex<[String: IntegrationEntry]>([:])
    private let outbound: OutboundPolicy

    init(database: Database, outbound: OutboundPolicy) {
        self.database = database
        self.outbound = outbound
    }

    /// Reads those in force; call once before serving.
    func load() async throws {
        let entries = try await database.read { c in
            try c.query("SELECT * FROM integrations WHERE revoked_at IS NULL", [], Self.entry)
        }
        byName.withLock { map in for e in entries { map[e.name] = e } }
    }

    public func entry(named name: String) -> IntegrationEntry? { byName.withLock { $0[name] } }

    public func entry(id: Int64) -> IntegrationEntry? { byName.withLock { $0.values.first { $0.id == id } } }

    /// G7: the integrations in force that take Switchboard's changes back.
    var pushing: [IntegrationEntry] { byName.withLock { $0.values.filter { $0.pushBack }.sorted { $0.id < $1.id } } }

    public var entries: [IntegrationEntry] { byName.withLock { Array($0.values) } }

    /// Telegram's setWebhook `secret_token`: 1–256 of A–Z a–z 0–9 _ - (we ask for 16 or more).
    static func isTelegramSecretToken(_ secret: String) -> Bool {
        (16...256).contains(secret.utf8.count) && secret.utf8.allSatisfy { b in
            (65...90).contains(b) || (97...122).contains(b) || (48...57).contains(b) || b == 95 || b == 45
        }
    }

    static func signs(_ kind: IntegrationKind) -> Bool { [.timepad, .cloudpayments, .whatsapp, .telegram].contains(kind) }

    public func create(_ request: CreateIntegrationRequest, by creator: String, now: Date = Date()) async throws -> Integration {
        let signs = Self.signs(request.kind)
        if signs && request.secret.isEmpty {
            throw RPCError.invalidArgument(
                "\(request.kind.name) signs its hooks: give the secret it signs them with",
                details: [FieldViolation(field: "secret", description: "is required for \(request.kind.name)")])
        }
        if request.kind == .telegram, !request.secret.isEmpty, !Self.isTelegramSecretToken(request.secret) {
            throw RPCError.invalidArgument(
                "Telegram's secret_token is 16 to 256 characters of A-Z, a-z, 0-9, _ and -",
                details: [FieldViolation(field: "secret", description: "is not a Telegram secret_token")])
        }
        if !signs && !request.secret.isEmpty {
            throw RPCError.invalidArgument(
                "\(request.kind.name) signs nothing: the gateway makes the URL token itself",
                details: [FieldViolation(field: "secret", description: "must be left out for \(request.kind.name)")])
        }
        if request.paymentsOpen != .unspecified, ![.cloudpayments, .leyka].contains(request.kind) {
            throw RPCError.invalidArgument(
                "only payment integrations (cloudpayments, leyka) open something for a payment",
                details: [FieldViolation(field: "paymentsOpen", description: "must be left out for \(request.kind.name)")])
        }
        if request.pushBack, ![.amocrm, .bitrix24].contains(request.kind) {
            throw RPCError.invalidArgument(
                "only the CRMs Switchboard runs beside (amocrm, bitrix24) take changes back",
                details: [FieldViolation(field: "pushBack", description: "must be left out for \(request.kind.name)")])
        }
        if request.pushBack, request.apiBaseURL.isEmpty || (request.kind == .amocrm && request.apiToken.isEmpty) {
            throw RPCError.invalidArgument(
                "a push-back goes through the CRM's API: give its apiBaseUrl\(request.kind == .amocrm ? " and apiToken" : " (the inbound webhook URL)")",
                details: [FieldViolation(field: request.apiBaseURL.isEmpty ? "apiBaseUrl" : "apiToken", description: "is required for pushBack")])
        }
        if !request.apiBaseURL.isEmpty, let problem = outbound.refusal(url: request.apiBaseURL) {
            throw RPCError.invalidArgument(
                "apiBaseUrl must be an http or https URL the outbound policy allows", details: [FieldViolation(field: "apiBaseUrl", description: problem)])
        }
        let token = signs ? "" : "hk_" + SecureRandom.hex(24)
        // WhatsApp signs its POSTs, but Meta's GET handshake proves the URL with a token we choose.
        let verify = request.kind == .whatsapp ? "wv_" + SecureRandom.hex(24) : ""
        let maxBody = request.maxBodyBytes == 0 ? Self.defaultMaxBodyBytes : Int(request.maxBodyBytes)
        let at = Int64(now.timeIntervalSince1970 * 1000)
        let name = request.name
        let (integration, entry) = try await database.write { tx -> (Integration, IntegrationEntry) in
            if try tx.queryFirst("SELECT 1 FROM integrations WHERE name = ?", [.text(name)], { $0.int(0) }) != nil {
                throw RPCError(.alreadyExists, "an integration named \(name) exists (names are never reused: hooks refer to them)")
            }
            try tx.run(
                """
                INSERT INTO integrations (name, kind, secret, token_digest, max_body_bytes, api_base_url, api_token, account_id, created_at, created_by, payment_opens, push_back, push_since)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [.text(name), .integer(Int64(request.kind.rawValue)), .blob(Array(request.secret.utf8)), .blob(token.isEmpty ? (verify.isEmpty ? [] : SHA256.digest(verify)) : SHA256.digest(token)),
                 .integer(Int64(maxBody)), .text(request.apiBaseURL), .text(request.apiToken), .text(request.accountID), .integer(at), .text(creator),
                 .integer(Int64(request.paymentsOpen.rawValue)), SQLValue(request.pushBack), .integer(at)])
            let row = try tx.queryFirst("SELECT * FROM integrations WHERE id = ?", [.integer(tx.lastInsertRowID)]) { ($0, Self.integration($0), Self.entry($0)) }!
            return (row.1, row.2)
        }
        byName.withLock { $0[entry.name] = entry }
        var made = integration
        made.verifyToken = verify
        if !token.isEmpty {
            made.secret = token
            made.hookPath = "/v1/hooks/\(made.name)/\(token)"
        }
        return made
    }

    public func list() async throws -> [Integration] {
        try await database.read { c in try c.query("SELECT * FROM integrations ORDER BY id", [], Self.integration) }
    }

    /// Issue 26: a new secret, URL token, API token or API base URL, each a line of its history
    /// (secrets never in words). The old secret or URL is refused from the next hook on.
    public func change(_ id: Int64, _ change: IntegrationChange, by author: SetupLog.Author, now: Date = Date()) async throws -> Integration {
        guard let current = entry(id: id) else { throw RPCError.notFound("integration \(id) does not exist") }
        let signs = Self.signs(current.kind)
        var violations: [FieldViolation] = []
        if let secret = change.secret {
            if !signs { violations.append(FieldViolation(field: "secret", description: "\(current.kind.name) signs nothing: ask for newToken instead")) }
            if current.kind == .telegram, !Self.isTelegramSecretToken(secret) { violations.append(FieldViolation(field: "secret", description: "is not a Telegram secret_token")) }
        }
        if change.newToken && signs { violations.append(FieldViolation(field: "newToken", description: "\(current.kind.name) signs its hooks: give a new secret instead")) }
        if let url = change.apiBaseURL, !url.isEmpty, let problem = outbound.refusal(url: url) { violations.append(FieldViolation(field: "apiBaseUrl", description: problem)) }
        if change.pushBack == true, ![.amocrm, .bitrix24].contains(current.kind) {
            violations.append(FieldViolation(field: "pushBack", description: "only amocrm and bitrix24 integrations take changes back"))
        }
        guard violations.isEmpty else { throw RPCError.invalidArgument("the change is not valid", details: violations) }
        let token = change.newToken ? "hk_" + SecureRandom.hex(24) : ""
        let at = Int64(now.timeIntervalSince1970 * 1000)
        let (integration, entry) = try await database.write { tx -> (Integration, IntegrationEntry) in
            var lines: [String] = []
            if let secret = change.secret {
                try tx.run("UPDATE integrations SET secret = ? WHERE id = ?", [.blob(Array(secret.utf8)), .integer(id)])
                lines.append("signing secret replaced")
            }
            if !token.isEmpty {
                try tx.run("UPDATE integrations SET token_digest = ? WHERE id = ?", [.blob(SHA256.digest(token)), .integer(id)])
                lines.append("URL token replaced")
            }
            if let apiToken = change.apiToken {
                try tx.run("UPDATE integrations SET api_token = ? WHERE id = ?", [.text(apiToken), .integer(id)])
                lines.append(apiToken.isEmpty ? "API token removed" : "API token replaced")
            }
            if let url = change.apiBaseURL, url != current.apiBaseURL {
                try tx.run("UPDATE integrations SET api_base_url = ? WHERE id = ?", [.text(url), .integer(id)])
                lines.append("API base URL \(current.apiBaseURL.isEmpty ? "none" : current.apiBaseURL) → \(url.isEmpty ? "none" : url)")
            }
            if let push = change.pushBack, push != current.pushBack {
                // Turned on again, it sends what changes from now, not what it missed while off.
                try tx.run("UPDATE integrations SET push_back = ?, push_since = ? WHERE id = ?", [SQLValue(push), .integer(at), .integer(id)])
                try tx.run("DELETE FROM push_cursors WHERE integration_id = ?", [.integer(id)])
                lines.append(push ? "push-back on" : "push-back off")
            }
            try SetupLog.record(tx, entity: "integration", id: id, by: author, at: at, lines)
            let row = try tx.queryFirst("SELECT * FROM integrations WHERE id = ? AND revoked_at IS NULL", [.integer(id)]) { (Self.integration($0), Self.entry($0)) }
            guard let row else { throw RPCError.notFound("integration \(id) does not exist") }
            return row
        }
        byName.withLock { $0[entry.name] = entry }
        var changed = integration
        if !token.isEmpty {
            changed.secret = token
            changed.hookPath = "/v1/hooks/\(changed.name)/\(token)"
        }
        return changed
    }

    /// Its changes since it was made (issue 26), when it exists.
    public func history(_ id: Int64) async throws -> SetupHistory {
        try await database.read { c in
            guard try c.queryFirst("SELECT 1 FROM integrations WHERE id = ?", [.integer(id)], { _ in true }) != nil else {
                throw RPCError.notFound("integration \(id) does not exist")
            }
            return try SetupLog.history(c, entity: "integration", id: id)
        }
    }

    /// Revokes it: its hooks are refused from the next one on; the stored ones stay.
    public func revoke(_ id: Int64, now: Date = Date()) async throws -> Integration {
        let revoked = try await database.write { tx in
            try tx.run("UPDATE integrations SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?", [.integer(Int64(now.timeIntervalSince1970 * 1000)), .integer(id)])
            guard let found = try tx.queryFirst("SELECT * FROM integrations WHERE id = ?", [.integer(id)], Self.integration) else {
                throw RPCError.notFound("integration \(id) does not exist")
            }
            return found
        }
        byName.withLock { $0[revoked.name] = nil }
        return revoked
    }

    static func entry(_ row: Row) -> IntegrationEntry {
        IntegrationEntry(
            id: row.int64("id"), name: row.string("name"), kind: IntegrationKind(rawValue: row.int("kind")) ?? .unspecified,
            secret: row.blob("secret"), tokenDigest: row.blob("token_digest"), maxBodyBytes: row.int("max_body_bytes"),
            apiBaseURL: row.string("api_base_url"), apiToken: row.string("api_token"), accountID: row.string("account_id"),
            paymentOpens: PaymentOpens(rawValue: row.int("payment_opens")) ?? .unspecified, pushBack: row.bool("push_back"), pushSince: row.int64("push_since"))
    }

    static func integration(_ row: Row) -> Integration {
        let kind = IntegrationKind(rawValue: row.int("kind")) ?? .unspecified
        return Integration(
            id: row.int64("id"), name: row.string("name"), kind: kind,
            hookPath: "/v1/hooks/\(row.string("name"))" + (signs(kind) ? "" : "/<token>"),
            maxBodyBytes: row.int64("max_body_bytes"), apiBaseURL: row.string("api_base_url"), hasAPIToken: !row.string("api_token").isEmpty,
            createdAtMilliseconds: row.int64("created_at"), createdBy: row.string("created_by"), revokedAtMilliseconds: row.optionalInt64("revoked_at"),
            accountID: row.string("account_id"), paymentsOpen: Self.paymentsOpen(kind, PaymentOpens(rawValue: row.int("payment_opens")) ?? .unspecified),
            pushBack: row.bool("push_back"))
    }

    /// What a payment integration's paid payments open, as said (donations unless told).
    static func paymentsOpen(_ kind: IntegrationKind, _ stored: PaymentOpens) -> PaymentOpens {
        guard [.cloudpayments, .leyka].contains(kind) else { return .unspecified }
        return PaymentOpens.unlessSaid(stored, provider: kind == .leyka ? .leyka : .cloudpayments)
    }
}
