package import HTTPTypes
import ShimCore
import Synchronization

/// The request id of a legacy call: the caller's `X-Request-Id` or `X-CAP-REQUEST-ID` when it is a
/// sane token, otherwise a fresh random one. Echoed in the response and written to the usage log.
package enum RequestID {
    /// `X-Request-Id`, the header the request id is echoed in.
    package static let header = HTTPField.Name("X-Request-Id")!
    static let capHeader = HTTPField.Name("X-CAP-REQUEST-ID")!

    /// The caller's request id when it is acceptable (`X-Request-Id` first, then `X-CAP-REQUEST-ID`), else a fresh one.
    package static func resolve(from headers: HTTPFields) -> String {
        for name in [header, capHeader] {
            if let value = headers[name], isAcceptable(value) { return value }
        }
        return generate()
    }

    /// 1–128 visible ASCII characters without quotes or backslashes.
    static func isAcceptable(_ value: String) -> Bool {
        (1...128).contains(value.utf8.count)
            && value.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
    }

    /// 32 hex digits, unique within the process and unguessable without its key: a counter mixed
    /// with a random key drawn once (the system generator costs a `getrandom` system call per
    /// draw, which a per-call id does not need).
    static func generate() -> String {
        let count = counter.wrappingAdd(1, ordering: .relaxed).newValue
        let first = mix(count ^ key.0)
        let second = mix(count &+ key.1)
        let hexDigits = Hex.lowercaseDigits
        return String(unsafeUninitializedCapacity: 32) { buffer in
            for index in 0..<16 {
                buffer[index] = hexDigits[Int((first >> UInt64(60 - 4 * index)) & 0xF)]
                buffer[16 + index] = hexDigits[Int((second >> UInt64(60 - 4 * index)) & 0xF)]
            }
            return 32
        }
    }

    private static let key: (UInt64, UInt64) = {
        var generator = SystemRandomNumberGenerator()
        return (generator.next(), generator.next())
    }()
    private static let counter = Atomic<UInt64>(0)

    /// SplitMix64's finaliser: a bijection of 64-bit values that spreads every input bit.
    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
