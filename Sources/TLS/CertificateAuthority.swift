import CCrypto
import Foundation

/// The cluster's certificate authority: signs each process's certificate, its identity
/// (`gateway`, `contacts`, `telephony-0`) as the common name and as a DNS name (what a
/// client checks), for both server and client use. `switchboard up` and the tests keep
/// one; a deployment may bring its own CA or issue with cert-manager instead.
///
/// Keys are ECDSA P-256, signatures SHA-256, serial numbers random: all OpenSSL's.
public struct CertificateAuthority: Sendable {
    /// The CA's certificate (what every process trusts) and key, PEM.
    public let certificate: String
    public let key: String

    public init(certificate: String, key: String) {
        self.certificate = certificate
        self.key = key
    }

    /// A new CA, valid from `start` for `lifetime` seconds.
    public static func make(name: String, start: Date, lifetime: TimeInterval) throws(TLSFailure) -> CertificateAuthority {
        let key = try PrivateKey()
        let cert = try X509Builder(subject: name, key: key, start: start, end: start + lifetime)
        try cert.extend(NID_basic_constraints, "critical,CA:TRUE,pathlen:0", issuer: nil)
        try cert.extend(NID_key_usage, "critical,keyCertSign,cRLSign", issuer: nil)
        try cert.extend(NID_subject_key_identifier, "hash", issuer: nil)
        try cert.sign(with: key)
        return CertificateAuthority(certificate: try cert.pem(), key: try key.pem())
    }

    /// A certificate for `identity`, valid from `start` until `end`: its PEM and its key's.
    public func issue(identity: String, start: Date, end: Date) throws(TLSFailure) -> (certificate: String, key: String) {
        guard !identity.isEmpty, identity.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x7A) })
        else { throw TLSFailure("issue a certificate", detail: "an identity is lower-case letters, digits and '-', not \"\(identity)\"") }
        let caKey = try PrivateKey(pem: key)
        let caCert = try X509Builder(pem: certificate)
        let key = try PrivateKey()
        let cert = try X509Builder(subject: identity, key: key, start: start, end: end)
        guard X509_set_issuer_name(cert.x509, X509_get_subject_name(caCert.x509)) == 1 else { throw TLSFailure("set the issuer") }
        try cert.extend(NID_basic_constraints, "critical,CA:FALSE", issuer: caCert)
        try cert.extend(NID_key_usage, "critical,digitalSignature", issuer: caCert)
        try cert.extend(NID_ext_key_usage, "serverAuth,clientAuth", issuer: caCert)
        try cert.extend(NID_subject_alt_name, "DNS:\(identity)", issuer: caCert)
        try cert.extend(NID_subject_key_identifier, "hash", issuer: caCert)
        try cert.extend(NID_authority_key_identifier, "keyid:always", issuer: caCert)
        try cert.sign(with: caKey)
        return (try cert.pem(), try key.pem())
    }

    /// When the PEM certificate stops being valid.
    public static func expiry(ofCertificate pem: String) throws(TLSFailure) -> Date {
        let cert = try X509Builder(pem: pem)
        var moment = tm()
        guard let notAfter = X509_get0_notAfter(cert.x509), ASN1_TIME_to_tm(notAfter, &moment) == 1 else {
            throw TLSFailure("read the certificate's expiry")
        }
        return Date(timeIntervalSince1970: TimeInterval(timegm(&moment)))
    }

    /// The common name of a PEM certificate.
    public static func identity(ofCertificate pem: String) throws(TLSFailure) -> String? {
        TLSSession.commonName(try X509Builder(pem: pem).x509)
    }
}

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

/// An OpenSSL memory buffer, freed with the value.
final class MemoryBIO {
    let pointer: OpaquePointer

    init() throws(TLSFailure) {
        guard let bio = BIO_new(BIO_s_mem()) else { throw TLSFailure("make a memory buffer") }
        pointer = bio
    }

    convenience init(_ text: String) throws(TLSFailure) {
        try self.init()
        let bytes = Array(text.utf8)
        guard BIO_write(pointer, bytes, Int32(bytes.count)) == Int32(bytes.count) else { throw TLSFailure("fill a memory buffer") }
    }

    deinit { BIO_free(pointer) }

    func text() -> String {
        var data: UnsafeMutablePointer<CChar>?
        let count = sb_bio_mem_contents(pointer, &data)
        guard let data, count > 0 else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: count), as: UTF8.self)
    }
}
