import Foundation
import NIOHTTP1
import ShimCore
import ShimServer
import Synchronization
import Testing

/// Mappings that follow a mounted Kubernetes ConfigMap: the kubelet swaps a `..data` symlink to a
/// new timestamped folder and sends no signal; the shim notices and reloads as SIGHUP does.
@Suite("Mappings directory watch", .timeLimit(.minutes(2)))
struct MappingWatchTests {
    /// A directory laid out as the kubelet lays out a ConfigMap volume: `..<timestamp>/` with the
    /// files, `..data` pointing at it, and each file a link through `..data`.
    struct KubeletMount {
        let path: String
        private var generation = 0

        init(routing: String) throws {
            path = FileManager.default.temporaryDirectory.appendingPathComponent("configmap-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            let folder = try writeFolder(routing: routing)
            try FileManager.default.createSymbolicLink(atPath: path + "/..data", withDestinationPath: folder)
            for name in MappingSet.fileNames {
                try FileManager.default.createSymbolicLink(atPath: "\(path)/\(name)", withDestinationPath: "..data/\(name)")
            }
        }

        /// Writes a new timestamped folder with the shipped mappings and `routing`; returns its name.
        private mutating func writeFolder(routing: String) throws -> String {
            generation += 1
            let name = "..2026_12_01_00_00_00.\(generation)"
            let folder = "\(path)/\(name)"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for file in MappingSet.fileNames where file != "routing.yaml" {
                try FileManager.default.copyItem(atPath: "\(shippedMappingsPath)/\(file)", toPath: "\(folder)/\(file)")
            }
            try routing.write(toFile: "\(folder)/routing.yaml", atomically: true, encoding: .utf8)
            return name
        }

        /// Swaps in a new set the way the kubelet does: a new folder, a new link renamed over
        /// `..data` (atomic), the old folder removed.
        mutating func swap(routing: String) throws {
            let old = try FileManager.default.destinationOfSymbolicLink(atPath: path + "/..data")
            let folder = try writeFolder(routing: routing)
            try FileManager.default.createSymbolicLink(atPath: path + "/..data_tmp", withDestinationPath: folder)
            guard rename(path + "/..data_tmp", path + "/..data") == 0 else { throw CocoaError(.fileWriteUnknown) }
            try FileManager.default.removeItem(atPath: "\(path)/\(old)")
        }
    }

    static let shippedMappingsPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("mappings").path

    @Test(
        "A ConfigMap-style swap under load is followed by new calls within 2 s; an invalid swap is refused without a failed call")
    func followsAConfigMapSwap() async throws {
        var mount = try KubeletMount(routing: "default: translate\n")
        defer { try? FileManager.default.removeItem(atPath: mount.path) }
        let upstream = RecordingUpstream.legacyOrBulk()
        try await upstream.withShim(
            configure: {
                $0.mappings = try! MappingSet(directory: mount.path)
                $0.mappingsDirectory = mount.path
                $0.watchMappingsInterval = .milliseconds(250)
            }
        ) { shim in
            let failures = Mutex<[String]>([])
            let calls = Atomic(0)
            let stop = Atomic(false)
            let load = Task {
                while !stop.load(ordering: .relaxed) {
                    do {
                        let answer = try await issue(shim.proxyURL, query: ShimOverSandboxTests.mobile)
                        if answer.status != 200 { failures.withLock { $0.append("\(answer.status) \(answer.text)") } }
                    } catch {
                        failures.withLock { $0.append("\(error)") }
                    }
                    calls.add(1, ordering: .relaxed)
                }
            }
            let translated = await eventually(within: .seconds(10)) {
                upstream.requests.last?.path == "/v2/promotion/bulk/directEarn"
            }
            #expect(translated)

            try mount.swap(routing: "default: legacy\n")
            let followed = await eventually(within: .seconds(2)) {
                upstream.requests.last?.path == "/v2/promotion/issue"
            }
            #expect(followed, "new calls did not follow the swapped routing within 2 s")

            try mount.swap(routing: "default: nowhere\n")
            let refused = await eventually(within: .seconds(10)) {
                let metrics = (try? await send(.GET, "\(shim.adminURL)/metrics").text) ?? ""
                return metrics.contains(#"promo_shim_mappings_reloads_total{result="refused"} 1"#)
            }
            #expect(refused, "the invalid set was not refused")
            let callsAfterRefusal = calls.load(ordering: .relaxed)
            let keptServing = await eventually(within: .seconds(10)) {
                calls.load(ordering: .relaxed) > callsAfterRefusal + 5
            }
            #expect(keptServing)
            #expect(upstream.requests.last?.path == "/v2/promotion/issue", "the old set stopped serving")
            stop.store(true, ordering: .relaxed)
            _ = await load.value
            #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0.prefix(5) })")
            let metrics = try await send(.GET, "\(shim.adminURL)/metrics").text
            #expect(metrics.contains(#"promo_shim_mappings_reloads_total{result="ok"} 1"#))
        }
    }
}
