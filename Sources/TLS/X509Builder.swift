import CCrypto
import FoundationEssentials

/// An X.509 certificate being built or read, freed with the value.
final class X509Builder {
    let x509: OpaquePointer

    init(subject: String, key: PrivateKey, start: Date, end: Date) throws(TLSFailure) {
        guard let x509 = X509_new() else { throw TLSFailure("make a certificate") }
        self.x509 = x509
        guard X509_set_version(x509, 2) == 1, sb_x509_random_serial(x509) == 1,
            ASN1_TIME_set(X509_getm_notBefore(x509), time_t(start.timeIntervalSince1970)) != nil,
            ASN1_TIME_set(X509_getm_notAfter(x509), time_t(end.timeIntervalSince1970)) != nil,
            X509_set_pubkey(x509, key.pointer) == 1,
            let name = X509_get_subject_name(x509),
            X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, subject, -1, -1, 0) == 1,
            X509_set_issuer_name(x509, name) == 1
        else { throw TLSFailure("fill in the certificate for \(subject)") }
    }

    init(pem: String) throws(TLSFailure) {
        let bio = try MemoryBIO(pem)
        guard let x509 = PEM_read_bio_X509(bio.pointer, nil, nil, nil) else { throw TLSFailure("read a PEM certificate") }
        self.x509 = x509
    }

    deinit { X509_free(x509) }

    func extend(_ nid: Int32, _ value: String, issuer: X509Builder?) throws(TLSFailure) {
        guard sb_x509_add_extension(x509, issuer?.x509 ?? x509, nid, value) == 1 else { throw TLSFailure("add the extension \(value)") }
    }

    func sign(with key: PrivateKey) throws(TLSFailure) {
        guard X509_sign(x509, key.pointer, EVP_sha256()) > 0 else { throw TLSFailure("sign the certificate") }
    }

    func pem() throws(TLSFailure) -> String {
        let bio = try MemoryBIO()
        guard PEM_write_bio_X509(bio.pointer, x509) == 1 else { throw TLSFailure("write a PEM certificate") }
        return bio.text()
    }
}
