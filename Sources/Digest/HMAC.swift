import CCrypto

/// HMAC from the system's OpenSSL, for the signatures webhooks carry (SHA-1 for
/// Timepad, SHA-256 for CloudPayments and WhatsApp).
public enum HMAC {
    public enum Algorithm: Sendable {
        case sha1
        case sha256
    }

    public static func authenticationCode(_ algorithm: Algorithm, key: [UInt8], message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let md = algorithm == .sha1 ? EVP_sha1() : EVP_sha256()
        key.withUnsafeBufferPointer { k in
            message.withUnsafeBufferPointer { m in
                out.withUnsafeMutableBufferPointer { o in
                    _ = CCrypto.HMAC(md, k.baseAddress, Int32(k.count), m.baseAddress, m.count, o.baseAddress, &length)
                }
            }
        }
        return Array(out.prefix(Int(length)))
    }
}
