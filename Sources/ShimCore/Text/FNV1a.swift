/// FNV-1a, 64 bits: a fast, stable, non-cryptographic hash, for what must come out the same on
/// every replica and every run (a customer's routing bucket, the mappings version).
package enum FNV1a {
    /// The hash of `bytes`.
    package static func hash(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}
