import Foundation
import Glibc
import HTTP
import Sockets
import Testing
import TestSupport

@Suite struct HTTPServerTests {
    func server(_ configure: (inout HTTPServer.Configuration) -> Void = { _ in }) throws -> HTTPServer {
        try startedServer(configure) { request in
            if request.path == "/slow" { try? await Task.sleep(for: .milliseconds(50)) }
            return HTTPResponse(status: 200, contentType: "text/plain", body: "\(request.method) \(request.path) \(request.body.count)")
        }
    }

    @Test func connectionsAreSpreadOverTheReactorsAndServedOnTheirOwn() throws {
        let first = try Reactor(name: "http-test-1")
        let second = try Reactor(name: "http-test-2")
        var configuration = HTTPServer.Configuration()
        configuration.extraReactors = [second]
        let server = HTTPServer(configuration: configuration, reactor: first) { _ in
            HTTPResponse(status: 200, contentType: "text/plain", body: first.isCurrent ? "first" : second.isCurrent ? "second" : "elsewhere")
        }
        try server.start()
        var answers: [String] = []
        for _ in 0..<4 {
            let client = try PlainClient(port: server.port)
            client.send("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
            answers.append(String(client.readAll().split(separator: "\r\n").last ?? ""))
            client.close()
        }
        #expect(answers == ["first", "second", "first", "second"])
        server.shutdown()
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        let s = try server()
        let client = try PlainClient(port: s.port)
        // The slow one first: its answer must still come first.
        client.send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\nPOST /b HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nxyzGET /c HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        let text = client.readAll()
        client.close()
        let bodies = text.components(separatedBy: "\r\n\r\n").dropFirst().map { $0.components(separatedBy: "HTTP/1.1")[0] }
        #expect(bodies == ["GET /slow 0", "POST /b 3", "GET /c 0"])
        #expect(text.hasSuffix("GET /c 0"))
        s.shutdown()
    }

    @Test func malformedRequestGets400AndConnectionClose() throws {
        let s = try server()
        let client = try PlainClient(port: s.port)
        client.send("GARBAGE\r\n\r\n")
        let text = client.readAll()
        client.close()
        #expect(text.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
        #expect(text.contains("Connection: close\r\n"))
        s.shutdown()
    }

    @Test func oversizedBodyGets413() throws {
        let s = try server { $0.limits.maxBodyBytes = 100 }
        let client = try PlainClient(port: s.port)
        client.send("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5000\r\n\r\n")
        #expect(client.readAll().hasPrefix("HTTP/1.1 413 "))
        client.close()
        s.shutdown()
    }

    @Test func clientSendingHeadersByteByByteIsCutOff() async throws {
        let s = try server { $0.requestReadTimeout = .milliseconds(500) }
        let client = try PlainClient(port: s.port)
        client.send("GET / HTTP/1.1\r\n")
        // A byte every 100 ms needs 2.9 s for the rest, far past the 0.5 s timeout:
        // a 408 (not a 200) shows the server cut it off.
        let text = await client.dripping("Host: slowloris\r\nX: 1234\r\n\r\n", every: .milliseconds(100))
        #expect(text.hasPrefix("HTTP/1.1 408 "))
        s.shutdown()
    }
}

/// Issue 9 items 10–13: what a careless or hostile client does to the connection layer.
@Suite struct HTTPServerEdgeTests {
    func server(_ configure: (inout HTTPServer.Configuration) -> Void = { _ in }) throws -> HTTPServer {
        try startedServer(configure) { request in
            HTTPResponse(status: 200, contentType: "text/plain", body: "\(request.method) \(request.path) \(request.body.count) from \(request.remoteAddress)")
        }
    }

    @Test func aMalformedRequestPipelinedBehindAGoodOneGetsItsOwn400() throws {
        let s = try server()
        let client = try PlainClient(port: s.port)
        client.send("GET /good HTTP/1.1\r\nHost: a\r\n\r\nGARBAGE\r\n\r\n")
        let text = client.readAll()
        client.close()
        #expect(text.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(text.contains("GET /good 0 from 127.0.0.1"))
        #expect(text.contains("HTTP/1.1 400 Bad Request\r\n"), "\(text)")
        s.shutdown()
    }

    /// A client that writes its whole (too large) body before reading, as Python's urllib
    /// and many webhook senders do, still reads the 413 instead of a reset.
    @Test func anEarly413IsReadByAClientThatWritesItsWholeBodyFirst() throws {
        let s = try server { $0.limits.maxBodyBytes = 1024 }
        let client = try PlainClient(port: s.port)
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: 4 * 1024 * 1024)
        client.send(Array("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
        let text = client.readAll()
        client.close()
        #expect(text.hasPrefix("HTTP/1.1 413 "), "got \(text.prefix(80))")
        s.shutdown()
    }

    @Test func expect100ContinueIsAnsweredAtOnce() throws {
        let s = try server()
        let client = try PlainClient(port: s.port, receiveTimeout: 2)
        client.send("POST /v1/contacts HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = Glibc.read(client.fd, &buffer, buffer.count)
        #expect(n > 0 && String(decoding: buffer[0..<max(0, n)], as: UTF8.self) == "HTTP/1.1 100 Continue\r\n\r\n")
        client.send("hello")
        client.send("GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        let text = client.readAll()
        client.close()
        #expect(text.hasPrefix("HTTP/1.1 200 OK\r\n") && text.contains("POST /v1/contacts 5"))
        s.shutdown()
    }

    @Test func headAnswersLikeGetWithoutABody() throws {
        let s = try server()
        let client = try PlainClient(port: s.port)
        client.send("HEAD /thing HTTP/1.1\r\nHost: a\r\n\r\nGET /after HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        let text = client.readAll()
        client.close()
        let responses = text.components(separatedBy: "HTTP/1.1 200 OK\r\n").filter { !$0.isEmpty }
        #expect(responses.count == 2)
        #expect(responses.first?.hasSuffix("\r\n\r\n") == true, "HEAD sent a body: \(responses.first ?? "")")
        #expect(responses.first?.contains("Content-Length: 28\r\n") == true, "\(responses.first ?? "")")
        s.shutdown()
    }

    @Test func aConnectionThatSendsNothingIsClosedSoon() throws {
        let s = try server { $0.firstByteTimeout = .milliseconds(200) }
        let client = try PlainClient(port: s.port)
        let started = ContinuousClock.now
        #expect(client.readAll() == "")
        #expect(ContinuousClock.now - started < .seconds(5))
        client.close()
        s.shutdown()
    }

    /// Idle sockets from one address fill only that address's share: another client is
    /// served, and the extra ones are told why and when to retry.
    @Test func oneAddressCannotTakeEveryConnection() async throws {
        // Idle for as long as a loaded machine may take to count them.
        let s = try server { $0.maxConnectionsPerAddress = 5; $0.firstByteTimeout = .seconds(60) }
        let idle = try (0..<5).map { _ in try PlainClient(port: s.port) }
        #expect(try await eventually { s.connectionCount == 5 })
        let refused = try PlainClient(port: s.port)
        let answer = try HTTPExchange(parsing: refused.readAll())
        refused.close()
        #expect(answer.status == 503 && answer.headers["retry-after"] == "1")
        let other = try await httpRequest(port: s.port, "GET", "/", source: "127.0.0.2")
        #expect(other.status == 200 && other.body.contains("from 127.0.0.2"))
        for client in idle { client.close() }
        s.shutdown()
    }
}


/// A server on a free port with `configure` applied, answering with `handler`.
func startedServer(_ configure: (inout HTTPServer.Configuration) -> Void, handler: @escaping HTTPServer.Handler) throws -> HTTPServer {
    var configuration = HTTPServer.Configuration()
    configure(&configuration)
    let server = HTTPServer(configuration: configuration, handler: handler)
    try server.start()
    return server
}
