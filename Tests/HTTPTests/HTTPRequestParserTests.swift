import HTTP
import Testing

@Suite struct HTTPRequestParserTests {
    let stream = Array((
        "GET /v1/contacts/7?x=1&name=%D0%90+B HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\n"
        + "POST /v1/contacts HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\nContent-Type: application/json\r\n\r\n{\"a\":\"bc\"}\n"
        + "POST /v1/leads HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"
        + "GET / HTTP/1.0\r\n\r\n"
    ).utf8)

    func parseAll(_ chunks: [[UInt8]]) throws -> [HTTPRequest] {
        var parser = HTTPRequestParser()
        var requests: [HTTPRequest] = []
        for chunk in chunks {
            parser.append(chunk)
            while let request = try parser.next() { requests.append(request) }
        }
        #expect(!parser.hasPartialRequest)
        return requests
    }

    func check(_ requests: [HTTPRequest]) {
        #expect(requests.count == 4)
        guard requests.count == 4 else { return }
        #expect(requests[0].method == "GET" && requests[0].path == "/v1/contacts/7")
        #expect(requests[0].query == ["x": "1", "name": "А B"])
        #expect(requests[0].header("accept") == "*/*")
        #expect(String(decoding: requests[1].body, as: UTF8.self) == "{\"a\":\"bc\"}\n")
        #expect(String(decoding: requests[2].body, as: UTF8.self) == "hello world")
        #expect(requests[3].minorVersion == 0 && !requests[3].keepAlive)
        #expect(requests[0].keepAlive)
    }

    @Test func wholeStream() throws { check(try parseAll([stream])) }

    @Test func byteByByte() throws { check(try parseAll(stream.map { [$0] })) }

    @Test func randomSplits() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var chunks: [[UInt8]] = []
            var i = 0
            while i < stream.count {
                let n = min(stream.count - i, Int.random(in: 1...40, using: &generator))
                chunks.append(Array(stream[i..<(i + n)]))
                i += n
            }
            check(try parseAll(chunks))
        }
    }

    func failure(_ text: String, limits: HTTPRequestParser.Limits = .init()) -> HTTPParseError? {
        var parser = HTTPRequestParser(limits: limits)
        parser.append(Array(text.utf8))
        do {
            while try parser.next() != nil {}
            return nil
        } catch {
            return error
        }
    }

    @Test func limitsAndMalformedRequests() {
        var small = HTTPRequestParser.Limits()
        small.maxHeadBytes = 100
        small.maxHeaderCount = 3
        small.maxBodyBytes = 10
        #expect(failure("GET / HTTP/1.1\r\nHost: a\r\nX: \(String(repeating: "y", count: 200))\r\n\r\n", limits: small)?.status == 431)
        #expect(failure("GET / HTTP/1.1\r\nHost: a\r\nX: \(String(repeating: "y", count: 200))", limits: small)?.status == 431)
        #expect(failure("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits: small)?.status == 431)
        #expect(failure("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n", limits: small)?.status == 413)
        #expect(failure("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nb\r\n", limits: small)?.status == 413)
        #expect(failure("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n")?.status == 400)
        #expect(failure("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")?.status == 400)
        #expect(failure("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n")?.status == 400)
        #expect(failure("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n")?.status == 501)
        #expect(failure("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n")?.status == 400)
        #expect(failure("GET / HTTP/1.1\r\n\r\n")?.reason == "missing Host header")
        #expect(failure("GET / HTTP/2.0\r\nHost: a\r\n\r\n")?.status == 400)
        #expect(failure("G(T / HTTP/1.1\r\nHost: a\r\n\r\n")?.status == 400)
        #expect(failure("GET nopath HTTP/1.1\r\nHost: a\r\n\r\n")?.status == 400)
        #expect(failure("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")?.status == 400)
    }

    @Test func responseIsOneBufferWithLengthAndClose() {
        let bytes = HTTPResponse(status: 404, contentType: "application/problem+json", body: "{}").encoded(keepAlive: false)
        #expect(String(decoding: bytes, as: UTF8.self)
            == "HTTP/1.1 404 Not Found\r\nContent-Type: application/problem+json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
    }
}

@Suite struct RouterTests {
    @Test func literalSegmentsWinAndParametersAreDecoded() async {
        var router = Router()
        router.add("GET", "/v1/contacts/{id}") { _, p in HTTPResponse(status: 200, body: Array("id=\(p["id"]!)".utf8)) }
        router.add("GET", "/v1/contacts/duplicates") { _, _ in HTTPResponse(status: 200, body: Array("dups".utf8)) }
        router.add("PATCH", "/v1/contacts/{id}") { _, _ in HTTPResponse(status: 200) }
        func body(_ path: String) async -> String? {
            guard case let .found(handler, params) = router.match(method: "GET", path: path) else { return nil }
            return String(decoding: await handler(HTTPRequest(method: "GET", target: path), params).body, as: UTF8.self)
        }
        #expect(await body("/v1/contacts/duplicates") == "dups")
        #expect(await body("/v1/contacts/7") == "id=7")
        #expect(await body("/v1/contacts/a%20b") == "id=a b")
        guard case let .methodNotAllowed(allowed) = router.match(method: "PUT", path: "/v1/contacts/7") else {
            Issue.record("expected 405")
            return
        }
        #expect(Set(allowed) == ["GET", "PATCH"])
        guard case .notFound = router.match(method: "GET", path: "/v2/x") else {
            Issue.record("expected 404")
            return
        }
    }
}
