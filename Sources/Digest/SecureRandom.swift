import CCrypto

/// Random bytes from OpenSSL's CSPRNG, for secrets (API keys, tokens).
public enum SecureRandom {
    public static func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        let ok = out.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        precondition(ok == 1, "OpenSSL has no randomness")
        return out
    }

    /// `count` random bytes as lower-case hex.
    public static func hex(_ count: Int) -> String { Hex.encode(bytes(count)) }
}
