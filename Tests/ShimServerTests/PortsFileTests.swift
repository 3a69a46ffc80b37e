import Foundation
import ShimServer
import Testing

@Suite("Ports file")
struct PortsFileTests {
    @Test("The file appears only once both ports are known, whole, in either order")
    func writtenWhenBothKnown() throws {
        for proxyFirst in [true, false] {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("ports-\(UUID().uuidString).json").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            let file = PortsFile(path: path)
            if proxyFirst { try file.proxyListening(on: 8080) } else { try file.adminListening(on: 9901) }
            #expect(!FileManager.default.fileExists(atPath: path))
            if proxyFirst { try file.adminListening(on: 9901) } else { try file.proxyListening(on: 8080) }
            #expect(try String(contentsOfFile: path, encoding: .utf8) == #"{"proxy":8080,"admin":9901}"# + "\n")
            #expect(!FileManager.default.fileExists(atPath: path + ".partial"))
        }
    }

    @Test("A file that cannot be written is an error, not a crash")
    func unwritable() throws {
        let file = PortsFile(path: "/nonexistent-dir/ports.json")
        try file.proxyListening(on: 1)
        #expect(throws: (any Error).self) { try file.adminListening(on: 2) }
    }
}
