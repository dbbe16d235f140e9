import Contracts
import Foundation
import RPC
import ServiceKit
import Storage
import Testing
import TestSupport

/// P2 (issue 23 item 2): who takes which events is declared once (``Topology``); every
/// deployment only says where subscribers listen, and this suite fails when one leaves a
/// subscriber out or names one the topology does not feed.
@Suite struct TopologyTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func read(_ path: String) throws -> String {
        try String(contentsOf: Self.root.appendingPathComponent(path), encoding: .utf8)
    }

    /// Each publisher's subscriber names must be exactly the topology's processes (every
    /// telephony replica counts as telephony), and every publisher with subscribers must be wired.
    func expectAgrees(_ wiring: [String: String], in file: String) throws {
        for publisher in Topology.Process.allCases {
            let expected = Set(Topology.subscribers(of: publisher).map(\.process))
            guard let value = wiring[publisher.rawValue.uppercased() + "_SUBSCRIBERS"] else {
                #expect(expected.isEmpty, "\(file) does not wire \(publisher.rawValue)'s events to \(expected.map(\.rawValue).sorted())")
                continue
            }
            let parsed = try Subscription.parse(value, variable: "\(file): \(publisher.rawValue)", publisher: publisher)
            let named = Set(parsed.compactMap { Topology.process(named: $0.subscriber) })
            #expect(named == expected, "\(file): \(publisher.rawValue) sends to \(named.map(\.rawValue).sorted()), the topology to \(expected.map(\.rawValue).sorted())")
        }
    }

    @Test func p2ComposeKubernetesAndCIWireEverySubscriberTheTopologyNames() throws {
        // Compose: `  X_SUBSCRIBERS: value`.
        var compose: [String: String] = [:]
        for line in try read("Compose/docker-compose.yml").split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard let colon = trimmed.firstIndex(of: ":"), trimmed[..<colon].hasSuffix("_SUBSCRIBERS") else { continue }
            compose[String(trimmed[..<colon])] = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        try expectAgrees(compose, in: "docker-compose.yml")

        // Kubernetes: `- name: X_SUBSCRIBERS` and the next line's `value: "..."`.
        var kubernetes: [String: String] = [:]
        let manifests = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("Compose/k8s").path).filter { $0.hasSuffix(".yaml") }
        for manifest in manifests {
            let lines = try read("Compose/k8s/\(manifest)").split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            for (i, line) in lines.enumerated() where line.hasPrefix("- name: ") && line.hasSuffix("_SUBSCRIBERS") && i + 1 < lines.count {
                kubernetes[String(line.dropFirst("- name: ".count))] = lines[i + 1].replacingOccurrences(of: "value: ", with: "")
                    .trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        try expectAgrees(kubernetes, in: "Compose/k8s")

        // CI's stack: `X_SUBSCRIBERS="..."`, with its shell variables standing for ports.
        let script = try read(".ci/schemathesis")
        var ci: [String: String] = [:]
        let notify = try #require(script.split(separator: "\n").first { $0.hasPrefix("notify=") })
        let notifyValue = notify.dropFirst("notify=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        for piece in script.components(separatedBy: .whitespacesAndNewlines) where piece.contains("_SUBSCRIBERS=\"") {
            let parts = piece.split(separator: "=", maxSplits: 1)
            var value = String(parts[1]).replacingOccurrences(of: "${notify}", with: notifyValue)
            value = value.replacingOccurrences(of: #"\$\{?[a-z_]+(\[[0-9]\])?\}?"#, with: "1", options: .regularExpression)
            ci[String(parts[0])] = value.trimmingCharacters(in: CharacterSet(charactersIn: "\")"))
        }
        try expectAgrees(ci, in: ".ci/schemathesis")
    }

    @Test func p2SubscribersNamedAfterAProcessTakeWhatTheTopologySendsThem() throws {
        let parsed = try Subscription.parse(
            "telephony-1@t1:7113;scheduling@s:7104;audit@host:9=contact.merged,deal.won;probe@h:1=*", variable: "X", publisher: .deals)
        #expect(parsed.map(\.subscriber) == ["telephony-1", "scheduling", "audit", "probe"])
        #expect(parsed[0].types == [Deals.Event.leadAccepted])
        #expect(parsed[1].types == [Deals.Event.stageChanged, Deals.Event.won, Deals.Event.lost])
        #expect(parsed[2].types == [Contacts.Event.merged, Deals.Event.won] && parsed[3].types == nil)
        // Deals takes nothing from itself; a process listed with types is refused, so
        // no deployment can drift from the topology.
        for (text, problem) in [
            ("deals@deals:7102=deal.won", "takes what the topology"), ("contacts@c:1", "takes none of billing's events"),
            ("billing@b:7105", "takes none of billing's events"),
            ("audit@host:9", "names no event types"),
        ] {
            #expect {
                _ = try Subscription.parse(text, variable: "BILLING_SUBSCRIBERS", publisher: .billing)
            } throws: { "\($0)".contains(problem) && "\($0)".contains("BILLING_SUBSCRIBERS") }
        }
        let notifications = try Subscription.parse("notifications@n:7106", variable: "X", publisher: .billing)
        #expect(notifications[0].types == Set(Topology.takes(.notifications)).intersection(Billing.Event.all))
        #expect(Subscription.missing(from: notifications, publisher: .billing).map(\.process) == [.deals])
    }

    @Test func p2AServiceWhoseHandlersAreNotTheTopologysSaysWhich() throws {
        let folder = try temporaryFolder("topology")
        let inbox = EventInbox(database: try Database(path: folder.appendingPathComponent("x.sqlite").path, migrations: []))
        for type in Topology.takes(.billing) { inbox.on(type) { _, _ in } }
        #expect(inbox.disagreement(with: .billing) == nil)
        inbox.on(Deals.Event.lost) { _, _ in }
        let problem = try #require(inbox.disagreement(with: .billing))
        #expect(problem.contains("handles deal.lost") && problem.contains("Topology.swift"))
        #expect(inbox.disagreement(with: .telephony)?.contains("no handler for contact.consent_changed, lead.accepted") == true)
    }
}
