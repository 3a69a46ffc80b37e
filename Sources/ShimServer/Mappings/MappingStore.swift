import Foundation
package import Logging
package import ShimCore
import Synchronization

/// The mappings in force, swapped atomically on reload: a request reads one consistent set, a new
/// set serves new requests only, and an invalid set never replaces a valid one.
package final class MappingStore: Sendable {
    /// A mapping set with the translators compiled from it.
    package struct Compiled: Sendable {
        /// The mapping set.
        package let mappings: MappingSet
        /// The validator built from the set's identifiers and sources.
        package let validator: IssueValidator
        /// The translator built from the set's code table and route.
        package let translator: ResponseTranslator
        /// The sunset date (milliseconds since the epoch) the brownout table is read against.
        package let sunset: Int64?

        /// Builds the validator and translator of `mappings`; `sunset` is in milliseconds since the epoch.
        package init(_ mappings: MappingSet, sunset: Int64? = nil) {
            self.mappings = mappings
            self.sunset = sunset
            self.validator = IssueValidator(mappings: mappings)
            self.translator = ResponseTranslator(mappings: mappings)
        }
    }

    /// The directory reloads read; `nil` for a fixed set (tests).
    package let directory: String?
    private let state: Mutex<Compiled>
    /// Reloads (SIGHUP, `POST /reload`, the directory watch) run one at a time, so a slower one
    /// can never put an older set back over a newer one.
    private let reloading = Mutex(())
    private let metrics: ShimMetrics?
    /// The deprecation policy's sunset date, in milliseconds since the epoch: a reloaded
    /// `deprecation.yaml` is checked against it.
    package let sunset: Int64?

    /// - Parameter sunset: The sunset date, in milliseconds since the epoch; the set must have been
    ///   checked against it (``ShimConfiguration/validate()`` does).
    package init(_ mappings: MappingSet, directory: String? = nil, metrics: ShimMetrics? = nil, sunset: Int64? = nil) {
        self.directory = directory
        self.sunset = sunset
        self.state = Mutex(Compiled(mappings, sunset: sunset))
        self.metrics = metrics
        metrics?.recordMappingsLoaded(version: mappings.version, previous: nil)
        metrics?.useCodeLabels(for: mappings.codes)
    }

    /// The set in force now.
    package var current: Compiled { state.withLock { $0 } }

    /// The folder to read a consistent set from: where a kubelet-managed mount's `..data` link
    /// points (its files are swapped all at once by repointing that link), else `directory`.
    package static func snapshot(of directory: String) -> String {
        let link = URL(fileURLWithPath: directory).appendingPathComponent("..data").path
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: link) else { return directory }
        return target.hasPrefix("/") ? target : URL(fileURLWithPath: directory).appendingPathComponent(target).path
    }

    /// Reads the directory again; a valid set replaces the current one, an invalid one is refused.
    /// - Returns: the version in force afterwards, or the reason the new set was refused.
    /// - Parameter onlyIfChanged: Leave the set in force (and the reload metrics) alone when the
    ///   directory holds the same set.
    @discardableResult
    package func reload(logger: Logger, onlyIfChanged: Bool = false) -> Result<String, MappingError> {
        reloading.withLock { _ in reloadNow(logger: logger, onlyIfChanged: onlyIfChanged) }
    }

    private func reloadNow(logger: Logger, onlyIfChanged: Bool) -> Result<String, MappingError> {
        guard let directory else {
            return .failure(MappingError(file: "", line: nil, keyPath: "", reason: "this shim has no mappings directory"))
        }
        do throws(MappingError) {
            let snapshot = Self.snapshot(of: directory)
            let read = try MappingSet(directory: snapshot)
            if onlyIfChanged, read.version == current.mappings.version { return .success(read.version) }
            do {
                try read.deprecation.check(sunset: sunset)
            } catch {
                var located = error
                located.file = URL(fileURLWithPath: snapshot).appendingPathComponent(error.file).path
                throw located
            }
            let fresh = Compiled(read, sunset: sunset)
            let previous = state.withLock { current in
                defer { current = fresh }
                return current.mappings.version
            }
            metrics?.recordMappingsLoaded(version: fresh.mappings.version, previous: previous)
            metrics?.useCodeLabels(for: fresh.mappings.codes)
            metrics?.recordMappingsReload(success: true)
            logger.notice(
                "mappings reloaded",
                metadata: ["mappings.version": "\(fresh.mappings.version)", "mappings.previous": "\(previous)"])
            return .success(fresh.mappings.version)
        } catch {
            metrics?.recordMappingsReload(success: false)
            logger.error("mappings reload refused; the previous set keeps serving", metadata: ["error": "\(error)"])
            return .failure(error)
        }
    }
}
