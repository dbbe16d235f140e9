import Foundation
import Glibc
import HTTP
import Sockets
import Testing
import TestSupport

@Suite struct HTTPServerTests {
    func server(_ configure: (inout HTTPServer.Configuration) -> Void = { _ in }) throws -> HTTPServer {
        var configuration = HTTPServer.Configuration()
        configure(&configuration)
        let server = HTTPServer(configuration: configuration) { request in
            if request.path == "/slow" { try? await Task.sleep(for: .milliseconds(50)) }
            return HTTPResponse(status: 200, contentType: "text/plain", body: "\(request.method) \(request.path) \(request.body.count)")
        }
        try server.start()
        return server
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
