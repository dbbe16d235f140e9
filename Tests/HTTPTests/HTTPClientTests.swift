import Foundation
import Glibc
import HTTP
import Sockets
import Synchronization
import Testing
import TestSupport

/// The provider client's own HTTP/1.1: responses framed every way a server frames them,
/// keep-alive connections reused and bounded per host, a silent server bounded by the
/// timeout, a connection the server dropped retried once on a fresh one.
@Suite struct HTTPClientTests {
    func parse(_ text: String, pieces: Int = 1, head: Bool = false) throws -> HTTPResponseParser.Response? {
        var parser = HTTPResponseParser(headRequest: head)
        let bytes = Array(text.utf8)
        let size = max(1, bytes.count / pieces)
        var response: HTTPResponseParser.Response?
        for start in stride(from: 0, to: bytes.count, by: size) {
            parser.append(Array(bytes[start..<min(bytes.count, start + size)]))
            if let r = try parser.next() { response = r }
        }
        return response ?? parser.finishAtClose()
    }

    @Test func responsesAreFramedByLengthChunksOrTheClose() throws {
        for pieces in [1, 3, 40] {
            let sized = try #require(try parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello", pieces: pieces))
            #expect(sized.status == 200 && String(decoding: sized.body, as: UTF8.self) == "hello" && sized.keepAlive && sized.header("x-a") == "b")
            let chunked = try #require(try parse("HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nT: 1\r\n\r\n", pieces: pieces))
            #expect(chunked.status == 201 && String(decoding: chunked.body, as: UTF8.self) == "abcde" && chunked.keepAlive)
        }
        let untilClose = try #require(try parse("HTTP/1.1 200 OK\r\n\r\nall of it"))
        #expect(String(decoding: untilClose.body, as: UTF8.self) == "all of it" && !untilClose.keepAlive)
        // An interim 100 Continue, then the answer; 204 and HEAD carry no body whatever they say.
        #expect(try parse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")?.status == 200)
        #expect(try parse("HTTP/1.1 204 No Content\r\n\r\n")?.body.isEmpty == true)
        #expect(try parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", head: true)?.body.isEmpty == true)
        #expect(try parse("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")?.keepAlive == false)
        #expect(try parse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")?.keepAlive == false)
        #expect(try parse("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n")?.keepAlive == true)
    }

    @Test func malformedOrOversizedResponsesAreErrorsThatNameTheProblem() {
        func error(_ text: String, limits: HTTPResponseParser.Limits = HTTPResponseParser.Limits()) -> String {
            var parser = HTTPResponseParser(limits: limits)
            parser.append(Array(text.utf8))
            do { _ = try parser.next(); return "" } catch { return error.reason }
        }
        #expect(error("HTTP/2 200 OK\r\n\r\n").contains("malformed status line"))
        #expect(error("HTTP/1.1 2000 OK\r\n\r\n").contains("malformed status line"))
        #expect(error("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n").contains("conflicting Content-Length"))
        #expect(error("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n").contains("Content-Length"))
        #expect(error("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n").contains("invalid chunk size"))
        var small = HTTPResponseParser.Limits()
        small.maxBodyBytes = 4
        #expect(error("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", limits: small).contains("exceeds 4"))
        #expect(error("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", limits: small).contains("exceeds 4"))
    }

    @Test func keepAliveConnectionsAreReusedAndNeverMoreThanTheLimitPerHost() async throws {
        let peak = Mutex((now: 0, most: 0))
        // A connection's first request may wait its turn for a while on a loaded machine.
        let server = try startedServer({ $0.firstByteTimeout = .seconds(60) }) { request in
            peak.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
            try? await Task.sleep(for: .milliseconds(5))
            peak.withLock { $0.now -= 1 }
            return HTTPResponse(status: 200, contentType: "text/plain", body: "\(request.method) \(request.target) \(String(decoding: request.body, as: UTF8.self))")
        }
        var configuration = HTTPClient.Configuration()
        configuration.maxConnectionsPerHost = 4
        let client = HTTPClient(configuration: configuration)
        for i in 0..<20 {
            let answer = try await client.send("POST", host: "127.0.0.1", port: server.port, target: "/hook?n=\(i)", headers: [("Content-Type", "text/plain")], body: Array("b\(i)".utf8), timeout: .seconds(10)).get()
            #expect(answer.status == 200 && String(decoding: answer.body, as: UTF8.self) == "POST /hook?n=\(i) b\(i)")
        }
        #expect(server.connectionCount == 1, "twenty requests one after another: one connection")
        let answers = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<40 {
                group.addTask { (try? await client.send("POST", host: "127.0.0.1", port: server.port, target: "/x", timeout: .seconds(10)).get().status) ?? 0 }
            }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(answers == Array(repeating: 200, count: 40))
        #expect(peak.withLock { $0.most } <= 4 && server.connectionCount <= 4, "forty at once share four connections")
        client.shutdown()
        server.shutdown()
    }

    @Test func aServerThatNeverAnswersCostsTheTimeoutNotMore() async throws {
        let silent = try SilentListener()
        let client = HTTPClient()
        let started = ContinuousClock.now
        let result = await client.send("POST", host: "127.0.0.1", port: silent.port, target: "/", body: [1], timeout: .milliseconds(300))
        guard case let .failure(error) = result else { Issue.record("expected no answer, got \(result)"); return }
        #expect(error.message.contains("did not answer in time"))
        #expect(ContinuousClock.now - started < .seconds(20), "bounded by the request's timeout; the server never answers")
        // Nothing listening: refused at once, said so.
        let closedPort = try freePort()
        guard case let .failure(refused) = await client.send("POST", host: "127.0.0.1", port: closedPort, target: "/", timeout: .seconds(2)) else { Issue.record("expected a refusal"); return }
        #expect(refused.message.contains("cannot connect to 127.0.0.1:\(closedPort)"))
        client.shutdown()
    }

    @Test func aKeptConnectionTheServerDropsIsRetriedOnceOnAFreshOne() async throws {
        // The first connection answers one request and drops the second unanswered (a
        // server closing an idle keep-alive connection as the request arrives).
        let connections = Atomic(0)
        let server = try RawServer { socket in
            let n = connections.add(1, ordering: .relaxed).newValue
            while let request = socket.readRequest() {
                if n == 1 && request.contains("second") { return }
                socket.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            }
        }
        let client = HTTPClient()
        for body in ["first", "second"] {
            // Generous: a loaded machine is slow to accept, and the retry needs a fresh connection.
            let answer = await client.send("POST", host: "127.0.0.1", port: server.port, target: "/", body: Array(body.utf8), timeout: .seconds(30))
            #expect((try? answer.get().status) == 200, "\(body): \(answer)")
        }
        #expect(connections.load(ordering: .relaxed) == 2)
        client.shutdown()
    }

    @Test func aHeaderThatWouldSplitTheRequestIsRefusedBeforeAnythingIsSent() async throws {
        let client = HTTPClient()
        let result = await client.send("POST", host: "127.0.0.1", port: 9, target: "/", headers: [("X-A", "b\r\nX-Injected: 1")], timeout: .seconds(1))
        guard case let .failure(error) = result else { Issue.record("expected a refusal"); return }
        #expect(error.message.contains("X-A"))
        guard case .failure = await client.send("POST", host: "127.0.0.1", port: 9, target: "/a b", timeout: .seconds(1)) else { Issue.record("a target with a space"); return }
    }
}

/// A blocking one-thread-per-connection TCP server on loopback, for servers that behave
/// badly on purpose (drop a connection mid-exchange).
final class RawServer: Sendable {
    /// One accepted connection, read and written with plain system calls.
    struct Socket {
        let fd: Int32
        /// The next request head and any body bytes that came with it, nil once the peer closed.
        func readRequest() -> String? {
            var buffer = [UInt8](repeating: 0, count: 65_536)
            let n = Glibc.read(fd, &buffer, buffer.count)
            return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : nil
        }

        func write(_ text: String) {
            _ = Array(text.utf8).withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
    }

    let listener: Int32
    let port: Int

    init(_ serve: @escaping @Sendable (Socket) -> Void) throws {
        (listener, port) = try LoopbackListener.open()
        let fd = listener
        Thread.detachNewThread {
            while true {
                let connection = accept(fd, nil, nil)
                guard connection >= 0 else { return }
                Thread.detachNewThread {
                    serve(Socket(fd: connection))
                    Glibc.close(connection)
                }
            }
        }
    }

    deinit { shutdown(listener, Int32(SHUT_RDWR)); Glibc.close(listener) }
}
