import ShimCore
import Testing

@Suite("Query strings")
struct QueryStringTests {
    @Test("Pairs are decoded like a servlet container: + is space, %XX bytes, duplicates kept")
    func parse() {
        let pairs = QueryString.parse("a=1&b=x+y&c=%41%2b%zz&a=2&flag&=v&&d=")
        #expect(pairs.map(\.name) == ["a", "b", "c", "a", "flag", "", "d"])
        #expect(pairs.map(\.value) == ["1", "x y", "A+%zz", "2", "", "v", ""])
    }

    @Test("Invalid UTF-8 is replaced, never passed on as raw bytes")
    func invalidUTF8() {
        #expect(QueryString.parse("v=%FF%FE").first?.value == "\u{FFFD}\u{FFFD}")
    }

    @Test("Encoding leaves only unreserved characters")
    func encode() {
        #expect(QueryString.encode("a b&c=d/é~") == "a%20b%26c%3Dd%2F%C3%A9~")
        #expect(QueryString.parse(QueryString.build([("k y", "v&1+2")])).first! == ("k y", "v&1+2"))
    }
}
