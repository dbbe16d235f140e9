import CCrypto
import FoundationEssentials

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
}
