import Foundation
import Testing

/// Issue 24 item 2: every deployment gives every process the certificate of its identity.
/// Compose makes them in the pki volume and mounts it everywhere; Kubernetes mounts the
/// Secret cert-manager keeps for each, and certificates.yaml issues every one of them with
/// the names its callers dial.
@Suite struct CertificateDeploymentTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func read(_ path: String) throws -> String {
        try String(contentsOf: Self.root.appendingPathComponent(path), encoding: .utf8)
    }

    @Test func composeIssuesAndMountsACertificateForEveryProcess() throws {
        let compose = try read("Compose/docker-compose.yml")
        // The services section: `  name:` lines open a service, deeper lines belong to it.
        let body = try #require(compose.components(separatedBy: "\nservices:\n").last?.components(separatedBy: "\nvolumes:\n").first)
        var sections: [(name: String, text: String)] = []
        for line in body.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("  "), !line.hasPrefix("   "), line.hasSuffix(":") {
                sections.append((String(line.dropFirst(2).dropLast()), ""))
            } else if !sections.isEmpty {
                sections[sections.count - 1].text += line + "\n"
            }
        }
        let pki = try #require(sections.first { $0.name == "pki" }?.text)
        // The backup job reads files and calls nobody: no certificate (P5).
        let services = sections.filter { $0.name != "pki" && $0.name != "backup" }
        for (service, section) in services {
            #expect(pki.contains("\"\(service)\""), "the pki service issues no certificate for \(service)")
            #expect(section.contains("- pki:/pki:ro"), "\(service) does not mount the certificates")
            #expect(section.contains("SWITCHBOARD_TLS_DIR: /pki") || section.contains("<<: *telephony-env"), "\(service) does not read them")
        }
        #expect(compose.contains("x-telephony-env: &telephony-env\n  SWITCHBOARD_TLS_DIR: /pki"))
        #expect(services.count == 9)
    }

    @Test func kubernetesMountsTheSecretOfACertificateNamingWhatCallersDial() throws {
        let certificates = try read("Compose/k8s/certificates.yaml").components(separatedBy: "\n---\n")
        func certificate(secret: String) -> String? { certificates.first { $0.contains("secretName: \(secret)\n") && $0.contains("kind: Certificate") } }
        for (workload, names) in [
            ("gateway", ["gateway"]), ("contacts", ["contacts"]), ("deals", ["deals"]), ("scheduling", ["scheduling"]),
            ("billing", ["billing"]), ("notifications", ["notifications"]), ("telephony", ["telephony-0", "telephony-1", "telephony-2"]),
        ] {
            let manifest = try read("Compose/k8s/\(workload).yaml")
            #expect(manifest.contains("secret: {secretName: \(workload)-tls"), "\(workload) mounts no certificate")
            for setting in ["TLS_CA", "TLS_CERTIFICATE", "TLS_KEY"] {
                #expect(manifest.contains("- name: \(workload.uppercased())_\(setting)"), "\(workload) does not set \(setting)")
            }
            let issued = try #require(certificate(secret: "\(workload)-tls"), "no Certificate keeps \(workload)-tls")
            #expect(issued.contains("commonName: \(workload)\n"))
            for name in names { #expect(issued.contains(name), "\(workload)'s certificate does not name \(name)") }
            #expect(issued.contains("server auth") && issued.contains("client auth"))
        }
    }
}
