import Contracts
import Digest
import Foundation

/// G2: whether a webhook comes from the provider its integration names, told by what
/// that provider really sends (its documentation and public receivers). Every comparison is
/// constant-time; the body is the raw bytes as received, never re-encoded (a form body
/// re-encoded would break CloudPayments' signature).
public enum HookAuthentication {
    /// Headers by lower-cased name.
    public static func verify(_ integration: IntegrationEntry, header: (String) -> String?, body: [UInt8], pathToken: String?) -> Bool {
        switch integration.kind {
        case .timepad:
            // X-Hub-Signature: sha1=<hex HMAC-SHA1(secret, body)>
            guard pathToken == nil, let value = header("x-hub-signature") else { return false }
            return matches(prefixed: value, "sha1=", HMAC.authenticationCode(.sha1, key: integration.secret, message: body))
        case .whatsapp:
            guard pathToken == nil, let value = header("x-hub-signature-256") else { return false }
            return matches(prefixed: value, "sha256=", HMAC.authenticationCode(.sha256, key: integration.secret, message: body))
        case .cloudpayments:
            // Content-HMAC: base64(HMAC-SHA256(API secret, raw body))
            guard pathToken == nil, let value = header("content-hmac"), let sent = Data(base64Encoded: value.trimmingCharacters(in: .whitespaces)) else { return false }
            return ConstantTime.equals(Array(sent), HMAC.authenticationCode(.sha256, key: integration.secret, message: body))
        case .telegram:
            // setWebhook's secret_token comes back in this header on every Update.
            guard pathToken == nil, let value = header("x-telegram-bot-api-secret-token") else { return false }
            return ConstantTime.equals(Array(value.utf8), integration.secret)
        case .ringostat, .amocrm, .bitrix24, .leyka, .smsru:
            guard let pathToken, !integration.tokenDigest.isEmpty else { return false }
            return ConstantTime.equals(SHA256.digest(pathToken), integration.tokenDigest)
        case .unspecified:
            return false
        }
    }

    /// Meta's GET handshake for a WhatsApp integration: the token it was made with.
    public static func verifiesHandshake(_ integration: IntegrationEntry, token: String) -> Bool {
        guard integration.kind == .whatsapp, !integration.tokenDigest.isEmpty, !token.isEmpty else { return false }
        return ConstantTime.equals(SHA256.digest(token), integration.tokenDigest)
    }

    /// `<prefix><hex>` against the expected code; hex in either case.
    static func matches(prefixed value: String, _ prefix: String, _ expected: [UInt8]) -> Bool {
        let text = value.trimmingCharacters(in: .whitespaces)
        guard text.lowercased().hasPrefix(prefix), let sent = hexBytes(text.dropFirst(prefix.count)) else { return false }
        return ConstantTime.equals(sent, expected)
    }

    static func hexBytes(_ text: Substring) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0, !digits.isEmpty else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(digits.count / 2)
        func value(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: c - 48
            case 97...102: c - 87
            case 65...70: c - 55
            default: nil
            }
        }
        var i = 0
        while i < digits.count {
            guard let hi = value(digits[i]), let lo = value(digits[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    /// The answer the provider expects to a hook it delivered: CloudPayments reads
    /// `{"code":0}` as "accepted", SMS.ru `100` (anything else and it sends the statuses
    /// again); the others need only a 200 (Ringostat: empty body).
    public static func acceptance(_ kind: IntegrationKind) -> (contentType: String, body: [UInt8]) {
        switch kind {
        case .cloudpayments: ("application/json", Array(#"{"code":0}"#.utf8))
        case .smsru: ("text/plain", Array("100".utf8))
        default: ("text/plain", [])
        }
    }
}
