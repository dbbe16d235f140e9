import JSON
import Testing

@Suite struct JSONParserTests {
    func parse(_ text: String) throws(JSONParseError) -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    func failure(_ text: String) -> String? {
        do throws(JSONParseError) {
            _ = try parse(text)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func readsEveryKindOfValue() throws {
        let value = try parse(#" {"a": [1, -2.5e3, true, false, null], "b": {"c": "x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"}} "#)
        guard case let .object(o) = value, case let .array(items)? = o["a"], case let .object(b)? = o["b"] else {
            Issue.record("not the structure written: \(value)")
            return
        }
        #expect(o.keys == ["a", "b"])
        #expect(items == [.number(JSONNumber(text: "1")), .number(JSONNumber(text: "-2.5e3")), .bool(true), .bool(false), .null])
        #expect(b["c"] == .string("x\"\\/\u{8}\u{c}\n\r\té😀"))
    }

    /// Issue 9 item 6: a boolean is never a number; a number is read by its exact value
    /// (2.0 is 2, as JSON Schema says; 2.5 is no whole number); past Int64 it is kept as
    /// text, never rounded.
    @Test func numbersKeepTheirLiteral() throws {
        #expect(try parse("true") == .bool(true))
        for (text, integer) in [("2.0", Int64(2)), ("1e18", Int64(1_000_000_000_000_000_000)), ("20e-1", Int64(2)), ("2.5", nil), ("1e-1", nil),
                                ("-0", Int64(0)), ("0.0e5", Int64(0)), ("9223372036854775807", Int64.max), ("9223372036854775807.0", Int64.max),
                                ("-9223372036854775808", Int64.min), ("-9223372036854775809", nil), ("18446744073709551616", nil),
                                ("1e19", nil), ("1e999999999", nil), ("9007199254740993.0", Int64(9_007_199_254_740_993))] as [(String, Int64?)] {
            guard case let .number(n) = try parse(text) else {
                Issue.record("\(text) is not a number")
                continue
            }
            #expect(n.text == text)
            #expect(n.int64 == integer, "\(text)")
        }
        guard case let .number(big) = try parse("-9223372036854775809") else { return }
        #expect(big.isInteger)
    }

    @Test func refusesDuplicateKeys() {
        #expect(failure(#"{"from": 2, "from": 1}"#) == #"the key "from" appears twice in one object"#)
        #expect(failure(#"{"a": {"x": 1, "x": 1}}"#) != nil)
        // Same name in different objects is fine.
        #expect(failure(#"[{"x": 1}, {"x": 1}]"#) == nil)
    }

    @Test func saysWhenNestingIsTooDeep() {
        let deep = String(repeating: "[", count: 33) + String(repeating: "]", count: 33)
        #expect(failure(deep) == "objects and arrays are nested deeper than 32 levels")
        let fine = String(repeating: "[", count: 32) + String(repeating: "]", count: 32)
        #expect(failure(fine) == nil)
        // A hostile depth never overflows the stack: it stops at the limit.
        #expect(failure(String(repeating: "{\"a\":", count: 100_000)) != nil)
    }

    @Test func refusesWhatRFC8259Does() {
        for bad in ["", " ", "{", "[1,]", "{\"a\":1,}", "01", "1.", ".5", "+1", "1e", "NaN", "Infinity", "'a'", "{a:1}", "\"\t\"",
                    "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"", "[1] 2", "tru", "nul", "\"abc"] {
            #expect(failure(bad) != nil, "\(bad) was accepted")
        }
        // Invalid UTF-8 inside a string.
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
        // The NUL character may be written escaped (readers of fields decide about it).
        #expect(failure(#""Ann\u0000ROOT""#) == nil)
    }

    @Test func errorsSayWhere() {
        do throws(JSONParseError) {
            _ = try parse(#"{"a": 1 "b": 2}"#)
            Issue.record("accepted")
        } catch {
            #expect(error.offset == 8)
            #expect(error.description == "expected ',' or '}' in an object (at byte 8)")
        }
    }
}
