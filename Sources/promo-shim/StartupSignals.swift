#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Signal dispositions set before anything else runs in `serve`.
enum StartupSignals {
    /// Ignores SIGHUP (reload mappings) and SIGUSR1 (reopen the usage log) until the services
    /// that handle them run: their default action would kill the process during start-up, and
    /// SIGUSR1 has no other handler when no usage log is configured. The services keep them.
    static func ignoreUntilHandled() {
        signal(SIGHUP, SIG_IGN)
        signal(SIGUSR1, SIG_IGN)
    }
}
