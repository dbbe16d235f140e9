import Foundation
import HTTP
import Synchronization
import Testing
import TestSupport

/// Issue 27 item 4: an answer written over time (Server-Sent Events). The head goes out
/// without a length and with `Connection: close`; what the handler writes arrives as it is
/// written; the handler learns at once when the client leaves, and a stopping server ends
/// the streams it serves instead of waiting for them.
@Suite struct HTTPStreamTests {
    final class Seen: Sendable {
        let closed = Atomic<Bool>(false)
        let writes = Atomic<Int>(0)
        var isClosed: Bool { closed.load(ordering: .relaxed) }
    }

    static func streaming(_ seen: Seen) throws -> HTTPServer {
        try startedServer({ _ in }) { request in
            var response = HTTPResponse(status: 200, headers: [("Content-Type", "text/event-stream")])
            response.stream = { stream in
                for i in 1...3 {
                    guard stream.write(Array("data: \(i)\n\n".utf8)) else { return }
                    seen.writes.add(1, ordering: .relaxed)
                }
                await stream.closed()
                seen.closed.store(true, ordering: .relaxed)
            }
            return response
        }
    }

    @Test func g6AStreamedAnswerArrivesAsWrittenAndItsHandlerLearnsWhenTheClientLeaves() async throws {
        let seen = Seen()
        let server = try Self.streaming(seen)
        let client = try PlainClient(port: server.port, receiveTimeout: 1)
        client.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
        let text = try await offThePool { client.read(until: ["data: 3"], within: 10) }
        #expect(text.hasPrefix("HTTP/1.1 200 OK\r\n") && text.contains("Connection: close\r\n") && !text.lowercased().contains("content-length"), "\(text)")
        #expect(text.hasSuffix("data: 1\n\ndata: 2\n\ndata: 3\n\n"))
        let stillOpen = !seen.closed.load(ordering: .relaxed)
        #expect(stillOpen, "the stream stays open while the client reads")
        client.close()
        #expect(try await eventuallyAsync(within: .seconds(5)) { seen.isClosed }, "the handler is told the client left")
        #expect(try await eventuallyAsync(within: .seconds(5)) { server.connectionCount == 0 })
        server.shutdown()
    }

    @Test func g6AStoppingServerEndsItsStreams() async throws {
        let seen = Seen()
        let server = try Self.streaming(seen)
        let client = try PlainClient(port: server.port, receiveTimeout: 1)
        client.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try await offThePool { client.read(until: ["data: 3"], within: 10) }
        #expect(await server.drain(within: .seconds(5)), "drained without waiting out the grace")
        let ended = seen.closed.load(ordering: .relaxed)
        #expect(ended)
        client.close()
    }
}
