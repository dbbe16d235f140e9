import Foundation
import HTTP
import Synchronization
import Testing
import TestSupport
import Wire

/// P5 (issue 29): a trace from a caller's `traceparent` through the gateway, the services
/// it calls, the services they call, and a subscriber of the event that results; spans
/// exported to a collector over OTLP/HTTP as JSON.
@Suite struct TraceEndToEndTests {
    /// An OpenTelemetry collector that keeps what it is sent.
    final class FakeCollector: Sendable {
        final class Received: Sendable {
            let bodies = Mutex<[String]>([])
        }
        let received = Received()
        let server: HTTPServer

        init() throws {
            let received = self.received
            server = HTTPServer(configuration: HTTPServer.Configuration(host: "127.0.0.1", port: 0)) { request in
                guard request.method == "POST", request.path == "/v1/traces",
                    request.header("Content-Type") == "application/json"
                else { return HTTPResponse(status: 400, contentType: "text/plain", body: "not an OTLP/JSON export") }
                received.bodies.withLock { $0.append(String(decoding: request.body, as: UTF8.self)) }
                return HTTPResponse(status: 200, contentType: "application/json", body: "{}")
            }
            try server.start()
        }

        var spans: [[String: Any]] {
            received.bodies.withLock { $0 }.flatMap { body -> [[String: Any]] in
                let document = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
                return (document?["resourceSpans"] as? [[String: Any]] ?? []).flatMap { resource in
                    (resource["scopeSpans"] as? [[String: Any]] ?? []).flatMap { $0["spans"] as? [[String: Any]] ?? [] }
                }
            }
        }
    }

    @Test func P5_aCallersTraceIdReachesTheGatewayDealsContactsAndTheSubscriberOfTheEventAndTheCollector() async throws {
        let collector = try FakeCollector()
        defer { collector.server.shutdown() }
        let system = try await SystemFixture.start(extra: [
            "GATEWAY_OTLP_ENDPOINT": "http://127.0.0.1:\(collector.server.port)/v1/traces", "GATEWAY_OUTBOUND_ALLOW": "loopback",
        ])
        let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
        let traced = ["traceparent": "00-\(traceID)-00f067aa0ba902b7-01"]
        // A lead: the gateway calls deals, which calls contacts (C2's match-or-create).
        #expect(try await system.request("POST", "/v1/leads", body: #"{"channel":"web","phone":"+79160001111"}"#, headers: traced).status == 201)
        // A merge: contacts publishes contact.merged, which deals applies (C3).
        let a = try #require((try await system.request("POST", "/v1/contacts", body: #"{"firstName":"A","emails":["a@example.com"]}"#).json["contact"] as? [String: Any])?["id"] as? Int)
        let b = try #require((try await system.request("POST", "/v1/contacts", body: #"{"firstName":"B","emails":["b@example.com"]}"#).json["contact"] as? [String: Any])?["id"] as? Int)
        #expect(try await system.request("POST", "/v1/contacts/\(a)/merge", body: #"{"from":\#(b)}"#, headers: traced).status == 200)

        func spanLines(_ log: String) -> [String] { log.split(separator: "\n").map(String.init).filter { $0.contains("\"event\":\"span\"") && $0.contains(traceID) } }
        #expect(try await eventually { spanLines(system.deals.logged).contains { $0.contains("apply contact.merged") } }, "the subscriber's span")
        #expect(spanLines(system.gateway.logged).count == 2, "a span per request at the gateway")
        #expect(spanLines(system.deals.logged).contains { $0.contains("SubmitLead") })
        #expect(spanLines(system.contacts.logged).contains { $0.contains("MatchOrCreate") } && spanLines(system.contacts.logged).contains { $0.contains("Merge") })
        // Each hop is a child of the one before: contacts' match-or-create names deals' span as its parent.
        let dealsSpan = try #require(spanLines(system.deals.logged).first { $0.contains("SubmitLead") })
        let dealsSpanID = try #require(dealsSpan.components(separatedBy: "\"span_id\":\"").last?.prefix(16))
        #expect(spanLines(system.contacts.logged).contains { $0.contains("MatchOrCreate") && $0.contains("\"parent_span_id\":\"\(dealsSpanID)\"") })
        // Untraced requests write no span lines.
        #expect(try await system.request("GET", "/v1/contacts").status == 200)
        #expect(system.gateway.logged.split(separator: "\n").filter { $0.contains("\"event\":\"span\"") }.count == 2)

        // The gateway's spans reach the collector, batched, as OTLP/JSON.
        #expect(try await eventually(within: .seconds(10)) { collector.spans.count >= 2 })
        let exported = collector.spans
        #expect(exported.allSatisfy { $0["traceId"] as? String == traceID && ($0["spanId"] as? String)?.count == 16 })
        #expect(exported.contains { $0["name"] as? String == "POST /v1/leads" && $0["parentSpanId"] as? String == "00f067aa0ba902b7" && $0["kind"] as? Int == 2 })
        #expect(collector.received.bodies.withLock { $0 }.allSatisfy { $0.contains(#"{"key":"service.name","value":{"stringValue":"gateway"}}"#) })
        try await system.stop()
    }

    @Test func P5_aTraceparentIsReadAsW3CWritesItAndAnythingElseIsIgnored() {
        let read = TraceContext(header: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        #expect(read?.traceID == "4bf92f3577b34da6a3ce929d0e0e4736" && read?.spanID == "00f067aa0ba902b7" && read?.sampled == true)
        #expect(read?.child().traceID == read?.traceID && read?.child().spanID != read?.spanID)
        for bad in [
            "", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
        ] {
            #expect(TraceContext(header: bad) == nil, "\(bad)")
        }
        // A later version is read by its first four fields.
        #expect(TraceContext(header: "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-more")?.sampled == false)
        #expect(TraceContext.start(sampled: true).header.hasSuffix("-01"))
    }
}
