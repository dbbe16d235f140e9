import Digest
import Foundation

/// The Standard Webhooks signature: `webhook-signature: v1,<base64 HMAC-SHA256(key,
/// "<webhook-id>.<webhook-timestamp>.<body>")>`, the key being the base64 after
/// `whsec_` in the endpoint's secret.
public enum WebhookSignature {
    public static func newSecret() -> String { "whsec_" + Data(SecureRandom.bytes(24)).base64EncodedString() }

    public static func key(_ secret: String) -> [UInt8] {
        let encoded = secret.hasPrefix("whsec_") ? String(secret.dropFirst(6)) : secret
        return Data(base64Encoded: encoded).map(Array.init) ?? Array(secret.utf8)
    }

    public static func sign(secret: String, id: String, timestamp: Int64, body: [UInt8]) -> String {
        let message = Array("\(id).\(timestamp).".utf8) + body
        return "v1," + Data(HMAC.authenticationCode(.sha256, key: key(secret), message: message)).base64EncodedString()
    }

    /// The three headers of one attempt.
    public static func headers(secret: String, id: String, timestamp: Int64, body: [UInt8]) -> [(String, String)] {
        [("webhook-id", id), ("webhook-timestamp", String(timestamp)), ("webhook-signature", sign(secret: secret, id: id, timestamp: timestamp, body: body))]
    }
}
