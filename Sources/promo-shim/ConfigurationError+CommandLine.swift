import ArgumentParser
import ShimServer

extension ConfigurationError {
    /// The error a command throws for it: a refused value is a usage error (`ValidationError`,
    /// exit status 64); a value that cannot be read is reported as it is (exit status 1), as
    /// `promo-shim` always has.
    var forCommandLine: any Error {
        isRefusal ? ValidationError(description) : self
    }
}
