import Foundation

/// What build is running, for `promo_shim_build_info`.
package enum BuildInfo {
    /// The release version of this source tree.
    package static let version = "1.3.0"
    /// The source revision, from `PROMO_SHIM_REVISION` in the environment (the container build
    /// sets it from its build argument), else `unknown`.
    package static let revision: String = {
        let value = ProcessInfo.processInfo.environment["PROMO_SHIM_REVISION"] ?? ""
        let safe = value.prefix(64).filter { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" }
        return safe.isEmpty ? "unknown" : String(safe)
    }()
}
