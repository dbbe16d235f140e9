import Contracts
import Foundation
import Testing
import TestSupport
import Wire

/// G6 (issue 27 item 4): the console's live stream over the gateway and the services. Each
/// person gets what happens to their own work as it happens (G3: not another operator's),
/// resumes after a drop from the last event they had, and holds a bounded number of streams.
@Suite struct LiveStreamEndToEndTests {
    typealias Conversations = ConversationsEndToEndTests

    /// Opens a stream as `key`, resuming after `lastEventID`; returns the client once the
    /// stream's first bytes arrived (the listener is registered by then).
    static func open(_ port: Int, key: String, lastEventID: String? = nil) throws -> (PlainClient, String) {
        let client = try PlainClient(port: port, receiveTimeout: 1)
        var head = "GET /v1/stream HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\nAuthorization: Bearer \(key)\r\n"
        if let lastEventID { head += "Last-Event-ID: \(lastEventID)\r\n" }
        client.send(head + "\r\n")
        let start = client.read(until: ["retry: 3000"], within: 10)
        return (client, start)
    }

    static func lastID(_ text: String) -> String? {
        text.split(separator: "\n").last { $0.hasPrefix("id: ") }.map { String($0.dropFirst(4)) }
    }

    @Test func g6TheLiveStreamSendsEachPersonWhatTheyMaySeeAndResumes() async throws {
        let system = try await Conversations.start()
        let port = system.gateway.port
        for name in ["Olga", "Ivan"] {
            #expect(try await system.request("POST", "/v1/staff", body: #"{"firstName":"\#(name)","role":"operator"}"#).status == 201)
        }
        let refused = try await httpRequest(port: port, "GET", "/v1/stream", headers: ["Authorization": "Bearer \(Conversations.operatorOne)"])
        #expect(refused.status == 406, "a client that does not take event streams is told")

        let (olga, olgaStart) = try Self.open(port, key: Conversations.operatorOne)
        let (ivan, ivanStart) = try Self.open(port, key: Conversations.operatorTwo)
        #expect(olgaStart.hasPrefix("HTTP/1.1 200") && olgaStart.contains("Content-Type: text/event-stream") && ivanStart.contains("retry: 3000"))

        let contact = try await system.request("POST", "/v1/contacts", body: #"{"firstName":"Anna","phones":["+79160000001"]}"#)
        let contactID = try #require((contact.json["contact"] as? [String: Any])?["id"] as? Int)
        let hers = try #require(try await system.request("POST", "/v1/deals", body: #"{"title":"Windows","contactId":\#(contactID),"responsibleId":1}"#).json["id"] as? Int)
        #expect(try await system.request("POST", "/v1/tasks", body: #"{"kind":"call_back","dealId":\#(hers),"assigneeId":1,"title":"Call Anna"}"#).status == 201)
        let his = try #require(try await system.request("POST", "/v1/deals", body: #"{"title":"Doors","contactId":\#(contactID),"responsibleId":2}"#).json["id"] as? Int)

        let olgaSaw = try await offThePool { olga.read(until: ["event: deal", "event: task", "\"title\":\"Call Anna\""], within: 15) }
        #expect(olgaSaw.contains("\"dealId\":\(hers)") && !olgaSaw.contains("\"dealId\":\(his)"), "\(olgaSaw)")
        let ivanSaw = try await offThePool { ivan.read(until: ["\"dealId\":\(his)"], within: 15) }
        #expect(ivanSaw.contains("event: deal") && !ivanSaw.contains("\"dealId\":\(hers)") && !ivanSaw.contains("Call Anna"), "G3: \(ivanSaw)")
        let seen = try #require(Self.lastID(olgaSaw))
        olga.close()

        // Olga's tab lost its stream; what happened meanwhile comes first when it resumes
        // (her other tab says when it has happened).
        let (otherTab, _) = try Self.open(port, key: Conversations.operatorOne)
        #expect(try await system.request("POST", "/v1/tasks", body: #"{"kind":"follow_up","dealId":\#(hers),"assigneeId":1,"title":"Send the offer"}"#).status == 201)
        #expect(try await offThePool { otherTab.read(until: ["Send the offer"], within: 15) }.contains("Send the offer"))
        otherTab.close()
        let (back, resumed) = try Self.open(port, key: Conversations.operatorOne, lastEventID: seen)
        let missed = resumed.contains("Send the offer") ? resumed : resumed + (try await offThePool { back.read(until: ["Send the offer"], within: 10) })
        #expect(missed.contains("Send the offer") && !missed.contains("Call Anna") && !missed.contains("event: reset"), "\(missed)")
        back.close()
        let (stale, fromElsewhere) = try Self.open(port, key: Conversations.operatorOne, lastEventID: "1-5")
        #expect(fromElsewhere.contains("event: reset"), "an id from before a restart: the screen reloads")
        stale.close()

        // At most five streams per person.
        var extra: [PlainClient] = []
        for _ in 0..<4 { extra.append(try Self.open(port, key: Conversations.operatorTwo).0) }
        let sixth = try await httpRequest(port: port, "GET", "/v1/stream", headers: ["Authorization": "Bearer \(Conversations.operatorTwo)", "Accept": "text/event-stream"])
        #expect(sixth.status == 429 && sixth.headers["retry-after"] != nil)
        for client in extra + [ivan] { client.close() }
        try await system.stop()
    }
}
