import Testing

@testable import ShimCore

@Suite("Hex and FNV-1a")
struct TextTests {
    @Test("Hex writes two lowercase digits per byte, and 16 for a 64-bit value")
    func hex() {
        #expect(Hex.string([0x00, 0x0f, 0xab, 0xff]) == "000fabff")
        #expect(Hex.string(UInt64(0x1f)) == "000000000000001f")
        #expect(Hex.string(UInt64.max) == "ffffffffffffffff")
    }

    @Test("FNV-1a matches the published test vectors")
    func fnv1a() {
        #expect(FNV1a.hash("".utf8) == 0xcbf2_9ce4_8422_2325)
        #expect(FNV1a.hash("a".utf8) == 0xaf63_dc4c_8601_ec8c)
        #expect(FNV1a.hash("foobar".utf8) == 0x8594_4171_f739_67e8)
    }
}
