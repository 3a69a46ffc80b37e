import Foundation
public import Logging
public import ShimCore
import Synchronization

/// The mappings in force, swapped atomically on reload: a request reads one consistent set, a new
/// set serves new requests only, and an invalid set never replaces a valid one.
public final class MappingStore: Sendable {
    /// A mapping set with the translators compiled from it.
    public struct Compiled: Sendable {
        public let mappings: MappingSet
        public let validator: IssueValidator
        public let translator: ResponseTranslator

        public init(_ mappings: MappingSet) {
            self.mappings = mappings
            self.validator = IssueValidator(mappings: mappings)
            self.translator = ResponseTranslator(mappings: mappings)
        }
    }

    /// The directory reloads read; `nil` for a fixed set (tests).
    public let directory: String?
    private let state: Mutex<Compiled>
    /// Reloads (SIGHUP, `POST /reload`, the directory watch) run one at a time, so a slower one
    /// can never put an older set back over a newer one.
    private let reloading = Mutex(())
    private let metrics: ShimMetrics?

    public init(_ mappings: MappingSet, directory: String? = nil, metrics: ShimMetrics? = nil) {
        self.directory = directory
        self.state = Mutex(Compiled(mappings))
        self.metrics = metrics
        metrics?.recordMappingsLoaded(version: mappings.version, previous: nil)
        metrics?.useCodeLabels(for: mappings.codes)
    }

    /// The set in force now.
    public var current: Compiled { state.withLock { $0 } }

    /// The folder to read a consistent set from: where a kubelet-managed mount's `..data` link
    /// points (its files are swapped all at once by repointing that link), else `directory`.
    public static func snapshot(of directory: String) -> String {
        let link = URL(fileURLWithPath: directory).appendingPathComponent("..data").path
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: link) else { return directory }
        return target.hasPrefix("/") ? target : URL(fileURLWithPath: directory).appendingPathComponent(target).path
    }

    /// Reads the directory again; a valid set replaces the current one, an invalid one is refused.
    /// - Returns: the version in force afterwards, or the reason the new set was refused.
    /// - Parameter onlyIfChanged: Leave the set in force (and the reload metrics) alone when the
    ///   directory holds the same set.
    @discardableResult
    public func reload(logger: Logger, onlyIfChanged: Bool = false) -> Result<String, MappingError> {
        reloading.withLock { _ in reloadNow(logger: logger, onlyIfChanged: onlyIfChanged) }
    }

    private func reloadNow(logger: Logger, onlyIfChanged: Bool) -> Result<String, MappingError> {
        guard let directory else {
            return .failure(MappingError(file: "", line: nil, keyPath: "", reason: "this shim has no mappings directory"))
        }
        do {
            let read = try MappingSet(directory: Self.snapshot(of: directory))
            if onlyIfChanged, read.version == current.mappings.version { return .success(read.version) }
            let fresh = Compiled(read)
            let previous = state.withLock { current in
                defer { current = fresh }
                return current.mappings.version
            }
            metrics?.recordMappingsLoaded(version: fresh.mappings.version, previous: previous)
            metrics?.useCodeLabels(for: fresh.mappings.codes)
            metrics?.recordMappingsReload(success: true)
            logger.notice("mappings reloaded", metadata: ["mappings.version": "\(fresh.mappings.version)", "mappings.previous": "\(previous)"])
            return .success(fresh.mappings.version)
        } catch {
            metrics?.recordMappingsReload(success: false)
            logger.error("mappings reload refused; the previous set keeps serving", metadata: ["error": "\(error)"])
            return .failure(error)
        }
    }
}
