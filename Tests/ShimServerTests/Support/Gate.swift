import Synchronization

/// A gate a test opens once: scripted upstreams hold their answers at it until the test has seen
/// what it waits for, so a test orders events by what happened instead of by how long it slept.
final class Gate: Sendable {
    private let isOpen = Mutex(false)

    /// Lets every waiter through, now and later.
    func open() {
        isOpen.withLock { $0 = true }
    }

    /// Returns once the gate is open.
    func wait() async throws {
        while !isOpen.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
    }
}
