import Contracts
import Digest

/// N3: the token in an email's one-click unsubscribe link (RFC 8058): it names a contact
/// and a channel and is signed with this service's own key, so the link works without a
/// login and cannot be made up for another contact. `<contact>-<channel>-<hex of the
/// first 16 bytes of HMAC-SHA256(key, "unsubscribe:<contact>:<channel>")>`.
public struct UnsubscribeToken: Sendable, Equatable {
    public let contactID: Int64
    public let channel: NotificationChannel

    public init(contactID: Int64, channel: NotificationChannel) {
        self.contactID = contactID
        self.channel = channel
    }

    public func text(key: [UInt8]) -> String {
        "\(contactID)-\(channel.rawValue)-\(Self.mac(contactID, channel, key: key))"
    }

    /// The token `text` names, nil unless its signature is this key's.
    public static func verify(_ text: String, key: [UInt8]) -> UnsubscribeToken? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, let contact = Int64(parts[0]), contact > 0, let raw = Int(parts[1]),
              let channel = NotificationChannel(rawValue: raw), channel != .unspecified
        else { return nil }
        guard ConstantTime.equals(Array(parts[2].utf8), Array(mac(contact, channel, key: key).utf8)) else { return nil }
        return UnsubscribeToken(contactID: contact, channel: channel)
    }

    static func mac(_ contact: Int64, _ channel: NotificationChannel, key: [UInt8]) -> String {
        Hex.encode(HMAC.authenticationCode(.sha256, key: key, message: Array("unsubscribe:\(contact):\(channel.rawValue)".utf8)).prefix(16))
    }
}
