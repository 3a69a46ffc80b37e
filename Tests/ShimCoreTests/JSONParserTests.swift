import Foundation
import ShimCore
import Testing

@Suite("JSON parsing")
struct JSONParserTests {
    static func parse(_ text: String) -> JSONValue? {
        try? JSONValue.parse(Array(text.utf8))
    }

    @Test("Values of every kind, with escapes and surrogate pairs")
    func values() {
        #expect(
            Self.parse(#"{"a":[1,-2,3.5,1e3,true,false,null,"x"]}"#)
                == .object([
                    "a": .array([
                        .integer(1), .integer(-2), .double(3.5), .double(1000), .bool(true), .bool(false), .null, .string("x"),
                    ])
                ]))
        #expect(Self.parse(#" "q\"\\\/\b\f\n\r\t\u00e9\ud83d\ude42" "#) == .string("q\"\\/\u{08}\u{0C}\n\r\té🙂"))
        #expect(Self.parse("9223372036854775807") == .integer(.max))
        #expect(Self.parse("92233720368547758070") == .double(92_233_720_368_547_758_070))
        #expect(Self.parse("{}") == .object([:]))
        #expect(Self.parse(" [ ] ") == .array([]))
    }

    @Test(
        "Anything that is not exactly one JSON document is refused",
        arguments: [
            "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "01", "1.", ".5", "-", "1e", "+1", "tru", "nul",
            "\"unterminated", "\"bad \\x escape\"", "\"\\ud83d alone\"", "\"\\ude42\"", "\"ctl \u{01}\"", "1 2", "{} x",
            "NaN", "Infinity", "1e999",
        ]
    )
    func refused(text: String) {
        #expect(Self.parse(text) == nil)
    }

    @Test("Invalid UTF-8 inside a string is refused")
    func invalidUTF8() {
        #expect((try? JSONValue.parse([0x22, 0xFF, 0xFE, 0x22])) == nil)
    }

    @Test("Deep nesting is refused instead of exhausting the stack")
    func depth() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(Self.parse(deep) == nil)
        let fine = String(repeating: "[", count: 32) + String(repeating: "]", count: 32)
        #expect(Self.parse(fine) != nil)
    }

    @Test("It agrees with Foundation on the documents the vendor sends")
    func agreesWithFoundation() throws {
        let text =
            #"{"response":[{"result":{"entityType":"CUSTOMER","entityId":423924812,"issualId":"811"},"errors":[],"warnings":[{"status":false,"code":8890,"message":"m"}]}],"totalCount":1}"#
        let ours = try #require(Self.parse(text))
        let foundation = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? NSDictionary
        #expect(ours["totalCount"]?.int64Value == (foundation?["totalCount"] as? Int).map(Int64.init))
        let entity = try #require(ours["response"]?.arrayValue?.first)
        #expect(entity["result"]?["issualId"]?.stringValue == "811")
        #expect(entity["warnings"]?.arrayValue?.first?["code"]?.int64Value == 8890)
    }
}
