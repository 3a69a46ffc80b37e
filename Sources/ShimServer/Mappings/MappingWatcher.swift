import Foundation
import Logging
import ServiceLifecycle
import ShimCore

/// Reloads the mappings when the files in their directory change, exactly as SIGHUP does
/// (validated, atomic, an invalid set refused while the old one keeps serving).
///
/// Kubernetes updates a mounted ConfigMap by pointing its `..data` symlink at a new timestamped
/// folder, and sends no signal; an operator may also edit the files in place. The watcher reads
/// the directory's mapping files (through their symlinks) and the `..data` link every `interval`,
/// and reloads when anything differs from the last look. Polling a handful of small files costs
/// nothing measurable, works the same on every file system and container runtime, and sees a
/// symlink swap that inotify on the directory would report only as an event on a link.
struct MappingWatcher: Service {
    let store: MappingStore
    let interval: Duration
    let logger: Logger

    func run() async throws {
        guard let directory = store.directory else {
            try? await gracefulShutdown()
            return
        }
        let initial = Self.fingerprint(of: directory)
        // The directory may have changed between the first load and this first look.
        store.reload(logger: logger, onlyIfChanged: true)
        await cancelWhenGracefulShutdown {
            var seen = initial
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                let now = Self.fingerprint(of: directory)
                guard now != seen else { continue }
                seen = now
                logger.info("mappings directory changed; reloading", metadata: ["mappings.directory": "\(directory)"])
                store.reload(logger: logger)
            }
        }
    }

    /// What the watcher compares: the `..data` link's target (a kubelet-managed mount) and the
    /// bytes of every mapping file, read through their links.
    static func fingerprint(of directory: String) -> [Data?] {
        let base = URL(fileURLWithPath: directory)
        let link = try? FileManager.default.destinationOfSymbolicLink(atPath: base.appendingPathComponent("..data").path)
        return [link.map { Data($0.utf8) }]
            + MappingSet.fileNames.map { FileManager.default.contents(atPath: base.appendingPathComponent($0).path) }
    }
}
