import Configuration
import Logging
import ShimServer
import Testing

/// The other commands read through the same reader as `serve`, with the same precedence and keys:
/// `sandbox`, `healthcheck`, the log level and `mappings check --sunset-date`; and what `validate()`
/// says about a value read from the environment.
@Suite("Configuration of the other commands")
struct CommandConfigurationTests {
    @Test("sandbox: SHIM_SANDBOX_HOST and SHIM_SANDBOX_PORT under the command line, over 127.0.0.1:8090")
    func sandbox() throws {
        #expect(try SandboxConfiguration(reader: .shim(environment: [:])) == SandboxConfiguration())
        #expect(SandboxConfiguration().port == 8090 && SandboxConfiguration().host == "127.0.0.1")
        let environment = ["SHIM_SANDBOX_HOST": "0.0.0.0", "SHIM_SANDBOX_PORT": "9100", "SHIM_PORT": "1"]
        let fromEnvironment = try SandboxConfiguration(reader: .shim(environment: environment))
        #expect(fromEnvironment.host == "0.0.0.0" && fromEnvironment.port == 9100)
        var values = CommandLineValues()
        values.set(.sandboxPort, 9200)
        #expect(try SandboxConfiguration(reader: .shim(commandLine: values, environment: environment)).port == 9200)
        #expect(throws: ConfigurationError("SHIM_SANDBOX_PORT=x is not an integer")) {
            try SandboxConfiguration(reader: .shim(environment: ["SHIM_SANDBOX_PORT": "x"]))
        }
    }

    @Test("healthcheck: SHIM_HEALTHCHECK_HOST, and the admin port as serve reads it (SHIM_ADMIN_PORT, 9901)")
    func healthcheck() throws {
        let defaults = try HealthcheckConfiguration(reader: .shim(environment: ["SHIM_HEALTHCHECK_HOST": ""]))
        #expect(defaults.host == "127.0.0.1" && defaults.port == 9901)
        let environment = ["SHIM_HEALTHCHECK_HOST": "::1", "SHIM_ADMIN_PORT": "9911"]
        let fromEnvironment = try HealthcheckConfiguration(reader: .shim(environment: environment))
        #expect(fromEnvironment.host == "::1" && fromEnvironment.port == 9911)
        var values = CommandLineValues()
        values.set(.adminPort, 9921)
        values.set(.healthcheckHost, "127.0.0.2")
        let fromCommandLine = try HealthcheckConfiguration(reader: .shim(commandLine: values, environment: environment))
        #expect(fromCommandLine.host == "127.0.0.2" && fromCommandLine.port == 9921)
    }

    @Test("The log level: --log-level, then SHIM_LOG_LEVEL, then info; an unknown level is refused")
    func logLevel() throws {
        #expect(try LoggingConfiguration(reader: .shim(environment: [:])).level == .info)
        #expect(try LoggingConfiguration(reader: .shim(environment: ["SHIM_LOG_LEVEL": "debug"])).level == .debug)
        var values = CommandLineValues()
        values.set(.logLevel, "error")
        #expect(
            try LoggingConfiguration(reader: .shim(commandLine: values, environment: ["SHIM_LOG_LEVEL": "debug"])).level == .error
        )
        let error = #expect(throws: ConfigurationError.self) {
            try LoggingConfiguration(reader: .shim(environment: ["SHIM_LOG_LEVEL": "loud"]))
        }
        #expect(error?.isRefusal == true && error?.description.contains("'loud'") == true)
    }

    @Test("mappings check's sunset date: --sunset-date, then SHIM_SUNSET_DATE, then none")
    func sunsetDate() throws {
        #expect(try DeprecationPolicy.sunsetMilliseconds(reader: .shim(environment: ["SHIM_SUNSET_DATE": ""])) == nil)
        let environment = ["SHIM_SUNSET_DATE": "2027-06-30", "SHIM_SUCCESSOR_URL": "not read by mappings check"]
        #expect(try DeprecationPolicy.sunsetMilliseconds(reader: .shim(environment: environment)) == 1_814_313_600_000)
        var values = CommandLineValues()
        values.set(.sunsetDate, "2027-07-01T00:00:00Z")
        #expect(
            try DeprecationPolicy.sunsetMilliseconds(reader: .shim(commandLine: values, environment: environment))
                == 1_814_400_000_000
        )
    }

    @Test(
        "A value read from the environment and refused by validate() names the option and the variable",
        arguments: [
            ("SHIM_PORT", "70000", "--port (SHIM_PORT) must be within 0...65535"),
            ("SHIM_COALESCE_MAX", "101", "--coalesce-max (SHIM_COALESCE_MAX) must be within 1...100"),
            ("SHIM_READ_TIMEOUT_MS", "0", "--read-timeout-ms (SHIM_READ_TIMEOUT_MS) must be at least 1 ms"),
            ("SHIM_MAX_QUEUED_UPSTREAM", "-1", "--max-queued-upstream (SHIM_MAX_QUEUED_UPSTREAM) must be at least 0"),
            (
                "SHIM_SHUTDOWN_TIMEOUT_SECONDS", "0",
                "--shutdown-timeout-seconds (SHIM_SHUTDOWN_TIMEOUT_SECONDS) must be at least 1"
            ),
            ("SHIM_DRAIN_DELAY_SECONDS", "-1", "--drain-delay-seconds (SHIM_DRAIN_DELAY_SECONDS) must be 0"),
        ]
    )
    func refusedNamesOptionAndVariable(variable: String, text: String, message: String) throws {
        let configuration = try ConfigReaderTests.read(environment: [variable: text])
        let error = #expect(throws: ConfigurationError.self) { try configuration.validate() }
        #expect(error?.isRefusal == true)
        #expect(error?.description.hasPrefix(message) == true, "\(error?.description ?? "accepted")")
    }
}
