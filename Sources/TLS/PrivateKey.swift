import CCrypto

/// An OpenSSL key pair, freed with the value.
final class PrivateKey {
    let pointer: OpaquePointer

    init() throws(TLSFailure) {
        guard let key = sb_ec_p256_key() else { throw TLSFailure("make a P-256 key") }
        pointer = key
    }

    init(pem: String) throws(TLSFailure) {
        let bio = try MemoryBIO(pem)
        guard let key = PEM_read_bio_PrivateKey(bio.pointer, nil, nil, nil) else { throw TLSFailure("read a PEM private key") }
        pointer = key
    }

    deinit { EVP_PKEY_free(pointer) }

    func pem() throws(TLSFailure) -> String {
        let bio = try MemoryBIO()
        guard PEM_write_bio_PrivateKey(bio.pointer, pointer, nil, nil, 0, nil, nil) == 1 else { throw TLSFailure("write a PEM private key") }
        return bio.text()
    }
}
