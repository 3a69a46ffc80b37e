import Configuration
import NIOCore
import ShimServer
import Testing

/// ``ShimConfiguration/init(reader:)`` through `ConfigReader.shim(commandLine:environment:)`: one
/// precedence (command line, then environment, then default) for every type of key, an empty
/// variable read as unset, and a malformed one refused, without starting anything.
@Suite("Configuration reader")
struct ConfigReaderTests {
    /// What every case needs to read at all: an upstream and the repository's mappings.
    static let base = ["SHIM_UPSTREAM": "http://127.0.0.1:1", "SHIM_MAPPINGS": shippedMappingsDirectory]

    static func read(
        _ commandLine: (inout CommandLineValues) -> Void = { _ in }, environment: [String: String] = [:]
    ) throws(ConfigurationError) -> ShimConfiguration {
        var values = CommandLineValues()
        commandLine(&values)
        return try ShimConfiguration(
            reader: .shim(commandLine: values, environment: base.merging(environment) { $1 })
        )
    }

    @Test("Every key of the table is read from the environment variable the table names")
    func tableMatchesEnvironmentEncoding() {
        for key in ConfigurationKey.all {
            let reader = ConfigReader.shim(environment: [key.environmentVariable: "value of \(key.name)"])
            #expect(reader.text(key) == "value of \(key.name)", "\(key.name) is not read from \(key.environmentVariable)")
        }
        #expect(Set(ConfigurationKey.all.map(\.name)).count == ConfigurationKey.all.count)
    }

    @Test("A string key: command line, then environment, then default")
    func stringPrecedence() throws {
        #expect(try Self.read().host == "127.0.0.1")
        #expect(try Self.read(environment: ["SHIM_HOST": "10.0.0.2"]).host == "10.0.0.2")
        #expect(try Self.read({ $0.set(.host, "10.0.0.1") }, environment: ["SHIM_HOST": "10.0.0.2"]).host == "10.0.0.1")
    }

    @Test("An integer key: command line, then environment, then default")
    func integerPrecedence() throws {
        #expect(try Self.read().port == 8080)
        #expect(try Self.read(environment: ["SHIM_PORT": "9000"]).port == 9000)
        #expect(try Self.read({ $0.set(.port, 7000) }, environment: ["SHIM_PORT": "9000"]).port == 7000)
        #expect(try Self.read({ $0.set(.coalesceMax, 20) }, environment: ["SHIM_COALESCE_MAX": "30"]).coalesceMax == 20)
    }

    @Test("A flag: given on the command line wins; absent, the environment decides, then the default")
    func flagPrecedence() throws {
        #expect(try Self.read().verifyUpstreamCertificates)
        #expect(try !Self.read(environment: ["SHIM_INSECURE_SKIP_TLS_VERIFY": "true"]).verifyUpstreamCertificates)
        #expect(try !Self.read({ $0.set(.insecureSkipTlsVerify, flag: true) }).verifyUpstreamCertificates)
        // A flag left off does not turn the environment's value off.
        #expect(
            try !Self.read({ $0.set(.insecureSkipTlsVerify, flag: false) }, environment: ["SHIM_INSECURE_SKIP_TLS_VERIFY": "yes"])
                .verifyUpstreamCertificates
        )
        // An inverted flag (`--no-watch-mappings`) beats the environment both ways.
        #expect(try Self.read().watchMappings)
        #expect(try !Self.read(environment: ["SHIM_WATCH_MAPPINGS": "false"]).watchMappings)
        #expect(try Self.read({ $0.set(.watchMappings, true) }, environment: ["SHIM_WATCH_MAPPINGS": "0"]).watchMappings)
        #expect(try !Self.read({ $0.set(.watchMappings, false) }, environment: ["SHIM_WATCH_MAPPINGS": "on"]).watchMappings)
    }

    @Test("Flag spellings: 1/true/yes/on and 0/false/no/off, in any case")
    func flagSpellings() throws {
        for text in ["1", "true", "YES", "On"] {
            #expect(
                try !Self.read(environment: ["SHIM_WATCH_MAPPINGS": "0", "SHIM_INSECURE_SKIP_TLS_VERIFY": text])
                    .verifyUpstreamCertificates)
        }
        for text in ["0", "False", "no", "OFF"] {
            #expect(try !Self.read(environment: ["SHIM_WATCH_MAPPINGS": text]).watchMappings)
        }
    }

    @Test("A duration in ms or s: command line, then environment, then default")
    func durationPrecedence() throws {
        #expect(try Self.read().requestHeadTimeout == .seconds(10))
        #expect(try Self.read(environment: ["SHIM_REQUEST_HEAD_TIMEOUT_MS": "250"]).requestHeadTimeout == .milliseconds(250))
        #expect(
            try Self.read({ $0.set(.requestHeadTimeoutMs, 40) }, environment: ["SHIM_REQUEST_HEAD_TIMEOUT_MS": "250"])
                .requestHeadTimeout == .milliseconds(40)
        )
        #expect(try Self.read().timeouts.connect == .seconds(2))
        #expect(try Self.read(environment: ["SHIM_CONNECT_TIMEOUT_MS": "700"]).timeouts.connect == .milliseconds(700))
        #expect(try Self.read(environment: ["SHIM_DRAIN_DELAY_SECONDS": "0"]).drainDelay == .zero)
        #expect(try Self.read({ $0.set(.shutdownTimeoutSeconds, 3) }).shutdownTimeout == .seconds(3))
    }

    @Test("An optional key: absent is nil; command line, then environment")
    func optionalPrecedence() throws {
        let none = try Self.read()
        #expect(none.usageLog == nil && none.customerHashKey == nil && none.deprecation.sunsetDate == nil)
        let environment = ["SHIM_USAGE_LOG": "-", "SHIM_CUSTOMER_HASH_KEY": "from-env", "SHIM_SUNSET_DATE": "2027-06-30"]
        let fromEnvironment = try Self.read(environment: environment)
        #expect(fromEnvironment.usageLog == .standardOutput)
        #expect(fromEnvironment.customerHashKey == "from-env")
        #expect(fromEnvironment.deprecation.sunsetMilliseconds == 1_814_313_600_000)
        let fromCommandLine = try Self.read(
            {
                $0.set(.usageLog, "/tmp/usage.jsonl")
                $0.set(.customerHashKey, "from-cli")
                $0.set(.sunsetDate, "2027-07-01")
            },
            environment: environment
        )
        #expect(fromCommandLine.usageLog == .file("/tmp/usage.jsonl"))
        #expect(fromCommandLine.customerHashKey == "from-cli")
        #expect(fromCommandLine.deprecation.sunsetMilliseconds == 1_814_400_000_000)
    }

    @Test("An empty environment variable counts as unset")
    func emptyIsUnset() throws {
        let empty = ["SHIM_PORT", "SHIM_HOST", "SHIM_WATCH_MAPPINGS", "SHIM_SUNSET_DATE", "SHIM_USAGE_LOG", "SHIM_COALESCE_MAX"]
        let configuration = try Self.read(environment: Dictionary(uniqueKeysWithValues: empty.map { ($0, "") }))
        #expect(configuration.port == 8080 && configuration.host == "127.0.0.1" && configuration.watchMappings)
        #expect(configuration.deprecation.sunsetDate == nil && configuration.usageLog == nil && configuration.coalesceMax == 10)
        // An empty SHIM_UPSTREAM is no upstream: --sandbox does not conflict with it.
        #expect(try Self.read({ $0.set(.sandbox, flag: true) }, environment: ["SHIM_UPSTREAM": ""]).sandbox)
    }

    @Test("A malformed variable is an error naming it, not the default; the command line still wins over it")
    func malformedIsRefused() throws {
        for (variable, text, words) in [
            ("SHIM_PORT", "abc", "is not an integer"), ("SHIM_REQUEST_TIMEOUT_MS", "1.5", "is not an integer"),
            ("SHIM_SANDBOX", "maybe", "is not a boolean"), ("SHIM_WATCH_MAPPINGS", "2", "is not a boolean"),
        ] {
            let error = #expect(throws: ConfigurationError.self) { try Self.read(environment: [variable: text]) }
            #expect(error?.description.hasPrefix("\(variable)=\(text) \(words)") == true, "\(error?.description ?? "accepted")")
            #expect(error?.isRefusal == false)
        }
        #expect(try Self.read({ $0.set(.port, 7000) }, environment: ["SHIM_PORT": "abc"]).port == 7000)
    }

    @Test("--sandbox and an upstream exclude each other; one of them is needed")
    func sandboxOrUpstream() throws {
        let both = #expect(throws: ConfigurationError.self) {
            try Self.read({ $0.set(.sandbox, flag: true) })
        }
        #expect(both?.isRefusal == true && both?.description.contains("--sandbox and --upstream (SHIM_UPSTREAM)") == true)
        let neither = #expect(throws: ConfigurationError.self) {
            try ShimConfiguration(reader: .shim(environment: ["SHIM_MAPPINGS": shippedMappingsDirectory]))
        }
        #expect(neither?.isRefusal == true && neither?.description.contains("no upstream") == true)
        let sandbox = try ShimConfiguration(
            reader: .shim(environment: ["SHIM_SANDBOX": "true", "SHIM_MAPPINGS": shippedMappingsDirectory])
        )
        #expect(sandbox.sandbox && sandbox.mappingsDirectory == shippedMappingsDirectory)
    }
}
