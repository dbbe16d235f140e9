import Foundation
import JSON
@testable import Gateway
import Contracts
import RPC
import HTTP
import ServiceKit
import Testing
import TestSupport
import Wire

@Suite struct RateLimiterTests {
    @Test func g1AReasonTheGatewayDeclaresItselfIsNonBlankAsTheSchemaSaysIt() throws {
        let document = GatewayAPI.openAPIDocument
        let schemas = (document["components"] as? [String: Any])?["schemas"] as? [String: Any]
        let cancellation = (schemas?["AppointmentCancellationInput"] as? [String: Any])?["properties"] as? [String: Any]
        let pattern = (cancellation?["reason"] as? [String: Any])?["pattern"] as? String
        #expect(pattern == TextRule.nonBlankPattern)
        // U+001F is white space to the gateway, whatever a regular expression engine says.
        #expect(TextRule.nonBlank.problem("\u{1F}") != nil && TextRule.nonBlank.problem("a") == nil)
    }

    @Test func csvFieldsAreQuotedAndFormulasDisarmedButNegativeAmountsStayNumbers() {
        #expect(CSVText.field("-2300.00") == "-2300.00")
        #expect(CSVText.field("-5") == "-5")
        #expect(CSVText.field("-1+1") == "'-1+1")
        #expect(CSVText.field("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
        #expect(CSVText.field("Москва, Ленина 1") == "\"Москва, Ленина 1\"")
        #expect(CSVText.field("-") == "'-")
        // Issue 21: a leading TAB or CR hides a formula from a naive check; Excel runs it.
        #expect(CSVText.field("\t=1+2") == "'\t=1+2")
        #expect(CSVText.field("\r=1+2") == "\"'\r=1+2\"")
        #expect(CSVText.field("\r\n=1+2") == "\"'\r\n=1+2\"")
    }

    @Test func g1LineAndNameRulesRefuseControlCharactersAndLineBreaksAsTheDocumentsPatternsDo() throws {
        for bad in ["a\r\nRCPT TO:<x@y>", "a\nb", "\t", "a\u{7F}", "a\u{85}", "a\u{2028}", "\u{0}"] {
            #expect(TextRule.line.problem(bad) != nil, "\(bad.debugDescription)")
            #expect(TextRule.name.problem(bad) != nil, "\(bad.debugDescription)")
        }
        #expect(TextRule.line.problem("") == nil && TextRule.line.problem("Leadgen — Москва") == nil)
        #expect(TextRule.name.problem("") != nil && TextRule.name.problem("   ") != nil && TextRule.name.problem("Ivan Petrov") == nil)
        // The document states the same rules: a credential's name and a lead's partner.
        let schemas = (GatewayAPI.openAPIDocument["components"] as? [String: Any])?["schemas"] as? [String: Any]
        let name = (((schemas?["NewCredentialInput"] as? [String: Any])?["properties"] as? [String: Any])?["name"] as? [String: Any])?["pattern"] as? String
        let partner = (((schemas?["LeadInput"] as? [String: Any])?["properties"] as? [String: Any])?["partner"] as? [String: Any])?["pattern"] as? String
        // ICU reads the document's \\uHHHH escapes as ECMA-262 does; its `$` also matches
        // before a final line break, ECMA-262's only at the end: the match must be whole.
        let namePattern = try NSRegularExpression(pattern: try #require(name)), linePattern = try NSRegularExpression(pattern: try #require(partner))
        func matches(_ pattern: NSRegularExpression, _ text: String) -> Bool {
            let whole = NSRange(text.startIndex..., in: text)
            return pattern.firstMatch(in: text, range: whole)?.range == whole
        }
        for text in ["Ivan", " a ", "", "  ", "a\r\nb", "a\tb", "Москва", "a\u{2028}"] {
            #expect(matches(namePattern, text) == (TextRule.name.problem(text) == nil), "\(text.debugDescription)")
            #expect(matches(linePattern, text) == (TextRule.line.problem(text) == nil), "\(text.debugDescription)")
        }
    }

    /// G3: every route that needs a key runs through the keyed group (key, limit, role,
    /// query, Idempotency-Key), and only routes the document calls open skip it; /metrics
    /// joins the open ones only when configured so. A phone's CardDAV account runs through
    /// its own (a staff token as Basic's password, the request limit).
    @Test func g3RoutesThatNeedAKeyRunThroughTheKeyedGroupAndNoOthers() {
        func names(_ chain: [any RouteMiddleware]) -> [String] { chain.map { "\(type(of: $0))" } }
        #expect(names(RouteGroup.keyed) == ["JSONBodyOnly", "KeyAuthentication", "KeyRateLimit", "RoleRequirement", "DeclaredQueryOnly", "IdempotencyKeys"])
        let keyChecks = ["KeyAuthentication", "KeyRateLimit", "RoleRequirement", "DeclaredQueryOnly"]
        for route in GatewayAPI.routeList {
            let chain = names(RouteGroup.middleware(for: route, metricsNeedAdmin: true))
            if route.access == .member {
                #expect(chain == ["MemberAuthentication", "KeyRateLimit"], "\(route.method) \(route.path)")
                continue
            }
            let expected = (route.body != nil ? ["JSONBodyOnly"] : []) + (route.access == .open ? [] : keyChecks)
                + (route.access != .open && route.idempotencyKey ? ["IdempotencyKeys"] : [])
            #expect(chain == expected, "\(route.method) \(route.path)")
        }
        let metrics = GatewayAPI.routeList.first { $0.operationID == "metrics" }!
        #expect(names(RouteGroup.middleware(for: metrics, metricsNeedAdmin: false)).isEmpty)
    }

    /// G1 (issue 22 item 32): a path parameter outside the document's pattern names
    /// nothing (404 before any lookup), as `/v1/contacts/01` does not; a month outside the
    /// years reports take, or a currency no service knows, is refused as the document says.
    @Test func g1PathParametersMonthsAndCurrenciesAreTakenAsTheDocumentStatesThem() throws {
        let boxes = Dictionary(GatewayAPI.routeList.map { ("\($0.method) \($0.path)", RouteBox($0, middleware: [])) }) { a, _ in a }
        let call = try #require(boxes["GET /v1/calls/{id}"]), entry = try #require(boxes["GET /v1/dialer/entries/{id}"])
        #expect(call.refused(["id": "11-1"]) == nil && call.refused(["id": "0-7"]) == nil)
        for bad in ["011-1", "11-01", "11-1\n", "-1", "11-0"] { #expect(call.refused(["id": bad]) == "id", "\(bad.debugDescription)") }
        #expect(entry.refused(["id": "9-q1"]) == nil && entry.refused(["id": "0001-q1"]) == "id" && entry.refused(["id": "9-q01"]) == "id")
        let unsubscribe = try #require(boxes["GET /v1/unsubscribe/{token}"])
        #expect(unsubscribe.refused(["token": "12-3-" + String(repeating: "a", count: 32)]) == nil)
        #expect(unsubscribe.refused(["token": "012-3-" + String(repeating: "a", count: 32)]) == "token")
        let channel = try #require(boxes["PUT /v1/notification-channels/{channel}"])
        #expect(channel.refused(["channel": "telegram"]) == nil && channel.refused(["channel": "pigeon"]) == "channel")
        #expect(TextRule.month.problem("2026-12") == nil && TextRule.month.problem("1999-12") != nil && TextRule.month.problem("0000-01") != nil)
        #expect(TextRule.currencyCode.problem("RUB") == nil && TextRule.currencyCode.problem("XXX") != nil)
        let schemas = (GatewayAPI.openAPIDocument["components"] as? [String: Any])?["schemas"] as? [String: Any]
        let currency = (((schemas?["ManualPaymentInput"] as? [String: Any])?["properties"] as? [String: Any])?["currency"] as? [String: Any])?["enum"] as? [String]
        #expect(currency?.contains("RUB") == true && currency?.contains("XXX") == false)
    }

    @Test func g3BurstThenSteadyRatePerKey() {
        var limiter = RateLimiter(rate: 2, burst: 3)
        for _ in 0..<3 { #expect(limiter.take(key: "a", now: 100) == nil) }
        #expect(limiter.take(key: "a", now: 100) == 1)
        // Another key has its own bucket.
        #expect(limiter.take(key: "b", now: 100) == nil)
        // Half a second refills one token at 2/s.
        #expect(limiter.take(key: "a", now: 100.5) == nil)
        #expect(limiter.take(key: "a", now: 100.5) != nil)
    }
}

@Suite struct IdempotencyStoreTests {
    let fingerprint = IdempotencyStore.fingerprint(method: "POST", path: "/v1/contacts", body: Array("{}".utf8))

    @Test func g5RepeatGetsTheFirstAnswerAndADifferentBodyIsRefused() {
        var store = IdempotencyStore()
        guard case .proceed = store.begin(scope: "k1", key: "abc", fingerprint: fingerprint, now: 0) else { Issue.record("first must run"); return }
        guard case .inProgress = store.begin(scope: "k1", key: "abc", fingerprint: fingerprint, now: 1) else { Issue.record("running"); return }
        store.finish(scope: "k1", key: "abc", fingerprint: fingerprint, response: HTTPResponse(status: 201, body: [1]), now: 2)
        guard case let .replay(response) = store.begin(scope: "k1", key: "abc", fingerprint: fingerprint, now: 3) else { Issue.record("replay"); return }
        #expect(response.status == 201 && response.body == [1])
        guard case .mismatch = store.begin(scope: "k1", key: "abc", fingerprint: fingerprint &+ 1, now: 4) else { Issue.record("mismatch"); return }
        // Another caller's identical key is unrelated.
        guard case .proceed = store.begin(scope: "k2", key: "abc", fingerprint: fingerprint, now: 5) else { Issue.record("scoped"); return }
    }

    @Test func g5ServerFailuresAreNotKeptAndOldKeysExpire() {
        var store = IdempotencyStore(capacity: 10, lifetime: 100)
        _ = store.begin(scope: "k", key: "x", fingerprint: fingerprint, now: 0)
        store.finish(scope: "k", key: "x", fingerprint: fingerprint, response: HTTPResponse(status: 503), now: 1)
        guard case .proceed = store.begin(scope: "k", key: "x", fingerprint: fingerprint, now: 2) else { Issue.record("5xx must rerun"); return }
        store.finish(scope: "k", key: "x", fingerprint: fingerprint, response: HTTPResponse(status: 200), now: 3)
        guard case .proceed = store.begin(scope: "k", key: "x", fingerprint: fingerprint, now: 200) else { Issue.record("expired"); return }
    }
}

@Suite struct ProblemTests {
    @Test func statusesMapAsDocumented() {
        #expect(Problem.httpStatus(for: .invalidArgument) == 400)
        #expect(Problem.httpStatus(for: .notFound) == 404)
        #expect(Problem.httpStatus(for: .alreadyExists) == 409)
        #expect(Problem.httpStatus(for: .unauthenticated) == 401)
        #expect(Problem.httpStatus(for: .permissionDenied) == 403)
        #expect(Problem.httpStatus(for: .resourceExhausted) == 429)
        #expect(Problem.httpStatus(for: .unavailable) == 503)
        #expect(Problem.httpStatus(for: .deadlineExceeded) == 504)
        #expect(Problem.httpStatus(for: .unimplemented) == 501)
        #expect(Problem.httpStatus(for: .internal) == 500)
    }
}

@Suite struct OpenAPITests {
    @Test func g1DocumentListsExactlyTheServedRoutes() throws {
        let api = GatewayAPI(
            contacts: .init(host: "127.0.0.1", port: 1), deals: .init(host: "127.0.0.1", port: 1), keyring: try APIKeyring(parsing: "0123456789abcdef0123=admin"))
        // WebDAV's PROPFIND, REPORT and OPTIONS are not OpenAPI's: the gateway's README describes them.
        let served = Set(api.routes.filter { !CardDAVRoutes.undocumentedMethods.contains($0.method) }.map { "\($0.method.lowercased()) \($0.pattern)" })
        let paths = GatewayAPI.openAPIDocument["paths"] as? [String: [String: Any]] ?? [:]
        let documented = Set(paths.flatMap { path, operations in operations.keys.map { "\($0) \(path)" } })
        #expect(served == documented, "served but undocumented: \(served.subtracting(documented)); documented but not served: \(documented.subtracting(served))")
        #expect(GatewayAPI.openAPIDocument["openapi"] as? String == "3.1.0")
    }
}

@Suite struct IdempotencyLedgerTests {
    @Test func g5KeepsAnswersForTheirLifetimeButNotServerFailures() async throws {
        let folder = try temporaryFolder("ledger")
        let ledger = try IdempotencyLedger(path: folder.appendingPathComponent("gateway.sqlite").path, lifetime: 3600)
        let created = HTTPResponse(status: 201, headers: [("Content-Type", "application/json"), ("Location", "/v1/deals/1")], body: Array("{}".utf8))
        let day = Date(timeIntervalSince1970: 1_800_000_000)
        try await ledger.record(scope: "s", key: "k", fingerprint: UInt64.max, response: created, now: day)
        try await ledger.record(scope: "s", key: "boom", fingerprint: 1, response: HTTPResponse(status: 503), now: day)
        let found = try await ledger.find(scope: "s", key: "k", now: day.addingTimeInterval(60))
        #expect(found?.fingerprint == UInt64.max && found?.response.status == 201 && found?.response.body == Array("{}".utf8))
        #expect(found?.response.headers.map(\.value) == ["application/json", "/v1/deals/1"])
        #expect(try await ledger.find(scope: "other", key: "k", now: day) == nil)
        #expect(try await ledger.find(scope: "s", key: "boom", now: day) == nil)
        #expect(try await ledger.find(scope: "s", key: "k", now: day.addingTimeInterval(7200)) == nil)
        #expect(try await ledger.prune(now: day.addingTimeInterval(7200)) == 1)
    }
}

@Suite struct JSONReadingTests {
    func object(_ text: String) throws(RPCError) -> JSONObject { try RequestBody.object(Array(text.utf8)) }

    /// The violations reading `text` as the POST /v1/contacts body gives, by field.
    func fields(_ text: String) throws -> [String: String] {
        do throws(RPCError) {
            _ = try MatchOrCreateRequest(json: try object(text))
            return [:]
        } catch {
            return Dictionary(error.details.map { ($0.field, $0.description) }, uniquingKeysWith: { a, _ in a })
        }
    }

    @Test func oneAndZeroAreNumbersAndTrueIsNotANumber() throws {
        #expect(try fields(#"{"responsibleId":1,"requireNameMatch":0}"#).keys.sorted() == ["requireNameMatch"])
        #expect(try MatchOrCreateRequest(json: try object(#"{"responsibleId":1,"requireNameMatch":true}"#)).draft.responsibleID == 1)
        #expect(try fields(#"{"responsibleId":true}"#)["responsibleId"] == "must be a whole number, not a boolean")
    }

    /// Issue 9 items 6 and 7: a whole number is one by its exact value, within Int64, never rounded.
    @Test func wholeNumbersAreIntegerLiteralsWithinInt64() throws {
        for (text, detail) in [
            ("2.5", "must be a whole number (2.5 is not)"),
            ("1e-3", "must be a whole number (1e-3 is not)"),
            ("-9223372036854775809", "must be between -9223372036854775808 and 9223372036854775807 (-9223372036854775809 is not)"),
            ("-5", "must be a positive whole number, not -5"),
            ("\"5\"", "must be a whole number, not a string"),
            ("null", "must be a whole number, not null"),
        ] {
            #expect(try fields("{\"responsibleId\":\(text)}")["responsibleId"] == detail, "\(text)")
        }
    }

    /// Issue 9 item 5: a NUL inside any string is a field error, never stored cut short.
    @Test func aNULInAStringIsAFieldError() throws {
        let found = try fields(#"{"firstName":"Ann\u0000ROOT","tags":["a","b\u0000"],"source":{"channel":"\u0000"}}"#)
        #expect(found == [
            "firstName": "must not contain the NUL character (\\u0000)", "tags[1]": "must not contain the NUL character (\\u0000)",
            "source.channel": "must not contain the NUL character (\\u0000)",
        ])
    }

    /// Issue 10 item 6: unknown fields named, lengths counted as JSON Schema counts them,
    /// one error per field, enum errors list the allowed values.
    @Test func unknownFieldsLimitsAndEnumsAreExplained() throws {
        #expect(try fields(#"{"phone":"+79161234567"}"#) == ["phone": "is not a field of this request"])
        #expect(try fields(#"{"id":5}"#) == ["id": "is not a field of this request"])
        let long = String(repeating: "é", count: 201)
        #expect(try fields("{\"firstName\":\"\(long)\"}") == ["firstName": "must be at most 200 characters, not 201"])
        do throws(RPCError) {
            _ = try DealTask(json: try object(#"{"kind":"nap","dealId":"12","id":3}"#))
            Issue.record("accepted")
        } catch {
            let found = Dictionary(error.details.map { ($0.field, $0.description) }, uniquingKeysWith: { a, _ in a })
            #expect(found == [
                "kind": "must be one of call_back, follow_up, meeting, custom (not \"nap\")", "dealId": "must be a whole number, not a string",
                "id": "is set by the server; leave it out",
            ])
            #expect(error.details.count == 3)
        }
        guard (try? RequestBody.object(Array(#"{"firstName":"a","firstName":"b"}"#.utf8))) == nil else {
            Issue.record("duplicate key accepted")
            return
        }
    }

    /// null clears only where the schema says so.
    @Test func nullClearsOnlyWhereItMay() throws {
        let patch = try UpdateDealRequest(json: try object(#"{"responsibleId":null,"scheduledAt":null}"#))
        #expect(patch.fieldMask == ["responsibleId", "scheduledAt"] && patch.deal.responsibleID == nil && patch.deal.scheduledAtMilliseconds == nil)
        #expect(throws: RPCError.self) { try UpdateDealRequest(json: try object(#"{"title":null}"#)) }
        #expect(throws: RPCError.self) { try CompleteTaskRequest(json: try object(#"{"status":null}"#)) }
    }
}

@Suite struct ContactJSONTests {
    @Test func aContactIsWrittenAsSortedJSONWithEveryField() throws {
        var c = Contact()
        c.id = 7
        c.firstName = "Анна \"Q\""
        c.emails = ["a@example.com"]
        c.phones = [Phone(number: "+74951234567", extension: "12"), Phone(number: "+79161234567")]
        c.customFields = [CustomField(name: "z", value: "1"), CustomField(name: "a", value: "2")]
        c.source = ContactSource(channel: "web", utmSource: "ya")
        c.responsibleID = 3
        c.mergedInto = 9
        c.createdAtMilliseconds = 1_700_000_000_123
        let bytes = c.jsonBytes
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        // The same bytes JSONWriter gives the parsed value: keys sorted, same formatting.
        #expect(JSONWriter.encode(parsed) == bytes)
        #expect(parsed["firstName"] as? String == "Анна \"Q\"" && parsed["mergedInto"] as? Int == 9 && parsed["responsibleId"] as? Int == 3)
        #expect((parsed["phones"] as? [[String: String]])?.first == ["number": "+74951234567", "extension": "12"])
        #expect(parsed["customFields"] as? [String: String] == ["a": "2", "z": "1"])
        #expect(parsed["createdAt"] as? String == "2023-11-14T22:13:20.123Z")
        var none = Contact()
        none.id = 8
        let empty = try #require(try JSONSerialization.jsonObject(with: Data(none.jsonBytes)) as? [String: Any])
        #expect(empty["mergedInto"] is NSNull && empty["responsibleId"] is NSNull && empty["source"] is NSNull)
    }
}

@Suite struct JSONWriterTests {
    @Test func writesSortedKeysEscapesAndNativeTypes() {
        let value: [String: Any] = ["b": [1, true, "x\"y\n\u{1}"], "a": ["n": NSNull(), "d": 1.5, "i": Int64(-7)], "ё": "юникод/ok"]
        #expect(String(decoding: JSONWriter.encode(value), as: UTF8.self)
            == #"{"a":{"d":1.5,"i":-7,"n":null},"b":[1,true,"x\"y\n\u0001"],"ё":"юникод/ok"}"#)
        // Whatever we write, Foundation reads back.
        #expect((try? JSONSerialization.jsonObject(with: Data(JSONWriter.encode(value)))) != nil)
    }

    @Test func timestampsAreUTCWithMilliseconds() {
        #expect(JSONWriter.timestamp(milliseconds: 0) == "1970-01-01T00:00:00.000Z")
        #expect(JSONWriter.timestamp(milliseconds: 1_795_397_186_846) == "2026-11-23T01:26:26.846Z")
    }
}
