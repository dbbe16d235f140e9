import Digest
import Testing

/// OpenSSL through the module map, checked against published test vectors.
@Suite struct DigestTests {
    func hex(_ bytes: [UInt8]) -> String { bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined() }

    @Test func sha256MatchesFIPS180Vectors() {
        #expect(hex(SHA256.digest("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex(SHA256.digest("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    /// RFC 4231 test case 2 (SHA-256) and RFC 2202 test case 2 (SHA-1).
    @Test func hmacMatchesRFCVectors() {
        let key = Array("Jefe".utf8), message = Array("what do ya want for nothing?".utf8)
        #expect(hex(HMAC.authenticationCode(.sha256, key: key, message: message)) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(hex(HMAC.authenticationCode(.sha1, key: key, message: message)) == "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")
    }

    /// Issue 27: people's passwords. RFC 7914's second vector (N = 1024, r = 8, p = 16; the
    /// first 32 bytes), then a hash made and checked, and what is refused.
    @Test func g6ScryptPasswordsMatchRFC7914AndVerifyOnlyTheirPassword() {
        let vector = "scrypt$10$8$16$\(Hex.encode(Array("NaCl".utf8)))$fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
        #expect(PasswordHash.verify("password", against: vector))
        #expect(!PasswordHash.verify("Password", against: vector))
        let cheap = PasswordHash(logN: 10, r: 8, p: 1)
        let stored = cheap.hash("correct horse battery staple")
        #expect(stored.hasPrefix("scrypt$10$8$1$") && stored != cheap.hash("correct horse battery staple"), "a fresh salt each time")
        #expect(PasswordHash.verify("correct horse battery staple", against: stored))
        #expect(!PasswordHash.verify("correct horse battery stapler", against: stored))
        #expect(PasswordHash.needsRehash(stored) && !PasswordHash.needsRehash(PasswordHash.standard.hash("x")))
        for bad in ["", "scrypt$10$8$1$zz$00", "scrypt$40$8$1$00$00", "bcrypt$10$8$1$00$00", String(stored.dropLast(2))] {
            #expect(!PasswordHash.verify("x", against: bad), "\(bad)")
        }
        #expect(Hex.decode("0aFf") == [10, 255] && Hex.decode("abc") == nil && Hex.decode("zz") == nil)
    }

    @Test func constantTimeComparisonAndRandomSecrets() {
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]) && !ConstantTime.equals([1, 2, 3], [1, 2, 4]) && !ConstantTime.equals([1], [1, 1]))
        let a = SecureRandom.hex(32), b = SecureRandom.hex(32)
        #expect(a.count == 64 && a != b)
    }
}
