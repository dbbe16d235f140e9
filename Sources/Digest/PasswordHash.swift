import CCrypto

/// Issue 27 item 2 (begun): people's passwords, kept as scrypt (RFC 7914) from the system
/// OpenSSL — memory-hard, so a stolen file is slow to guess — in one self-describing text:
/// `scrypt$<log2 N>$<r>$<p>$<salt hex>$<hash hex>`. Checked in constant time; a stored
/// hash with weaker parameters than today's still verifies (and `needsRehash` says so).
public struct PasswordHash: Sendable, Equatable {
    /// Today's cost: N = 2^15, r = 8, p = 1 (32 MiB, tens of milliseconds): OWASP's floor.
    public static let standard = PasswordHash(logN: 15, r: 8, p: 1)
    /// The most memory a stored hash may ask for (a tampered one cannot exhaust memory).
    static let maxMemoryBytes: UInt64 = 256 * 1024 * 1024

    public let logN: Int
    public let r: Int
    public let p: Int

    public init(logN: Int, r: Int, p: Int) {
        (self.logN, self.r, self.p) = (logN, r, p)
    }

    /// The text to keep for `password`, with a fresh 16-byte salt.
    public func hash(_ password: String) -> String {
        let salt = SecureRandom.bytes(16)
        let derived = Self.derive(password, salt: salt, logN: logN, r: r, p: p) ?? []
        return "scrypt$\(logN)$\(r)$\(p)$\(Hex.encode(salt))$\(Hex.encode(derived))"
    }

    /// Whether `password` is the one `stored` was made from; false for anything malformed.
    public static func verify(_ password: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$").map(String.init)
        guard parts.count == 6, parts[0] == "scrypt", let logN = Int(parts[1]), let r = Int(parts[2]), let p = Int(parts[3]),
            (10...20).contains(logN), (1...32).contains(r), (1...16).contains(p),
            let salt = Hex.decode(parts[4]), let expected = Hex.decode(parts[5]), expected.count == 32,
            let derived = derive(password, salt: salt, logN: logN, r: r, p: p)
        else { return false }
        return ConstantTime.equals(derived, expected)
    }

    /// Whether `stored` was made with less than today's cost.
    public static func needsRehash(_ stored: String) -> Bool {
        let parts = stored.split(separator: "$")
        guard parts.count == 6, let logN = Int(parts[1]), let r = Int(parts[2]), let p = Int(parts[3]) else { return true }
        return logN < standard.logN || r < standard.r || p < standard.p
    }

    static func derive(_ password: String, salt: [UInt8], logN: Int, r: Int, p: Int) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: 32)
        let length = password.utf8.count
        let ok = password.withCString { chars in
            salt.withUnsafeBufferPointer { s in
                out.withUnsafeMutableBufferPointer { o in
                    EVP_PBE_scrypt(chars, length, s.baseAddress, s.count, UInt64(1) << UInt64(logN), UInt64(r), UInt64(p), maxMemoryBytes, o.baseAddress, 32)
                }
            }
        }
        return ok == 1 ? out : nil
    }
}
