import Foundation
import Synchronization

/// Writes the ports `serve` listens on to a file, once both listeners run: `{"proxy":8080,"admin":9901}`
/// and a newline (`--ports-file`). For scripts and tests that start the shim on port 0: they read a
/// file instead of scraping log lines. The file appears whole (written aside, then renamed).
package final class PortsFile: Sendable {
    /// Where the ports go.
    package let path: String
    private let ports = Mutex<(proxy: Int?, admin: Int?)>((nil, nil))

    /// A ports file at `path`; nothing is written until both listeners run.
    package init(path: String) {
        self.path = path
    }

    /// Records the proxy listener's port; writes the file if the admin port is known.
    package func proxyListening(on port: Int) throws {
        try record { $0.proxy = port }
    }

    /// Records the admin listener's port; writes the file if the proxy port is known.
    package func adminListening(on port: Int) throws {
        try record { $0.admin = port }
    }

    private func record(_ change: (inout (proxy: Int?, admin: Int?)) -> Void) throws {
        let both = ports.withLock { ports -> (Int, Int)? in
            change(&ports)
            guard let proxy = ports.proxy, let admin = ports.admin else { return nil }
            return (proxy, admin)
        }
        guard let (proxy, admin) = both else { return }
        let aside = path + ".partial"
        try Data("{\"proxy\":\(proxy),\"admin\":\(admin)}\n".utf8).write(to: URL(fileURLWithPath: aside))
        if rename(aside, path) != 0 {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }
}
