import HTTP
import Testing
import TestSupport

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
        var generator = SplitMix64(seed: 0x5eed_4477)
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

    func failure(_ text: String, limits: HTTPRequestParser.Limits = .init()) -> HTTPParseError? { parseFailure(text, limits: limits) }

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
    @Test func literalSegmentsWinAndParametersAreDecoded() {
        var router = Router()
        router.add("GET", "/v1/contacts/{id}", 1)
        router.add("GET", "/v1/contacts/duplicates", 2)
        router.add("PATCH", "/v1/contacts/{id}", 3)
        func found(_ path: String) -> String? {
            guard case let .found(route, params) = router.match(method: "GET", path: path) else { return nil }
            return "\(route) \(params["id"] ?? "-")"
        }
        #expect(found("/v1/contacts/duplicates") == "2 -")
        #expect(found("/v1/contacts/7") == "1 7")
        #expect(found("/v1/contacts/a%20b") == "1 a b")
        guard case let .methodNotAllowed(allowed) = router.match(method: "PUT", path: "/v1/contacts/7") else {
            Issue.record("expected 405")
            return
        }
        #expect(Set(allowed) == ["GET", "HEAD", "PATCH"])
        guard case .notFound = router.match(method: "GET", path: "/v2/x") else {
            Issue.record("expected 404")
            return
        }
        // Issue 10's finding: a literal path answers 405 for another method, not the {id} route's handler.
        guard case let .methodNotAllowed(onDuplicates) = router.match(method: "PATCH", path: "/v1/contacts/duplicates") else {
            Issue.record("PATCH /v1/contacts/duplicates reached a handler")
            return
        }
        #expect(onDuplicates == ["GET", "HEAD"])
        // HEAD is answered by the GET route.
        guard case .found = router.match(method: "HEAD", path: "/v1/contacts/7") else {
            Issue.record("HEAD did not find the GET route")
            return
        }
    }

    /// Issue 9 item 14: one resource, one path.
    @Test func emptySegmentsMatchNothing() {
        var router = Router()
        router.add("GET", "/v1/contacts/{id}", 1)
        router.add("GET", "/", 2)
        for path in ["//v1//contacts//1", "/v1/contacts/1/", "/v1//contacts/1", "//v1/contacts/1", "v1/contacts/1", "/v1/contacts/"] {
            guard case .notFound = router.match(method: "GET", path: path) else {
                Issue.record("\(path) matched")
                continue
            }
        }
        guard case .found = router.match(method: "GET", path: "/") else {
            Issue.record("/ did not match")
            return
        }
    }
}

@Suite struct HTTPParserEdgeTests {
    func failure(_ text: String) -> HTTPParseError? { parseFailure(text) }

    func parsed(_ text: String) throws -> HTTPRequest? {
        var parser = HTTPRequestParser()
        parser.append(Array(text.utf8))
        return try parser.next()
    }

    /// Issue 9 item 11: each is an immediate 400, not a wait for the read timeout.
    @Test func malformedChunkSizesAndBareLineEndsAreRefusedAtOnce() {
        let chunked = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        #expect(failure(chunked + "-1\r\n")?.status == 400)
        #expect(failure(chunked + "+2\r\nab\r\n0\r\n\r\n")?.status == 400)
        #expect(failure(chunked + "0x2\r\n")?.status == 400)
        #expect(failure(chunked + "2\nab")?.status == 400)
        #expect(failure("GET / HTTP/1.1\nHost: a\n\n")?.status == 400)
        #expect(failure("GET / HTTP/1.1\r\nHost: a\n\r\n")?.status == 400)
        #expect(failure("GET / HTTP/1.1\nHost: a")?.status == 400, "a bare LF is refused before the head is complete")
    }

    /// Issue 9 item 13: bare CR and NUL in header values are refused.
    @Test func bareCRAndNULInHeadersAreRefused() {
        #expect(failure("GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n")?.status == 400)
        #expect(failure("GET / HTTP/1.1\r\nHost: a\r\nX: a\u{0}b\r\n\r\n")?.status == 400)
    }

    /// Issue 9 item 13: absolute-form targets route by their path.
    @Test func absoluteFormTargetsAreAccepted() throws {
        let request = try parsed("GET http://example.com:8080/v1/contacts/1?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n")
        #expect(request?.target == "/v1/contacts/1?x=1" && request?.path == "/v1/contacts/1")
        #expect(try parsed("GET HTTPS://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n")?.path == "/")
        #expect(failure("GET ftp://example.com/ HTTP/1.1\r\nHost: a\r\n\r\n")?.status == 400)
    }

    @Test func expectContinueIsFlaggedOnceAndOtherExpectationsRefused() throws {
        var parser = HTTPRequestParser()
        parser.append(Array("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n".utf8))
        #expect(try parser.next() == nil)
        let first = parser.takeContinue()
        let second = parser.takeContinue()
        #expect(first && !second)
        parser.append(Array("ok".utf8))
        #expect(try parser.next()?.body == Array("ok".utf8))
        #expect(failure("POST / HTTP/1.1\r\nHost: a\r\nExpect: magic\r\nContent-Length: 2\r\n\r\n")?.status == 417)
        // Too large: the final answer (413) instead of 100 Continue.
        #expect(failure("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 99999999\r\n\r\n")?.status == 413)
    }
}

/// The error parsing `text` whole ends in, nil when every request in it parses.
func parseFailure(_ text: String, limits: HTTPRequestParser.Limits = .init()) -> HTTPParseError? {
    var parser = HTTPRequestParser(limits: limits)
    parser.append(Array(text.utf8))
    do {
        while try parser.next() != nil {}
        return nil
    } catch {
        return error
    }
}
