import HTTPTypes
import ShimServer
import Testing

/// Which `Host` and `Origin` the admin listener serves, as a pure decision.
@Suite("Admin request policy")
struct AdminRequestPolicyTests {
    static let policy = AdminRequestPolicy(adminHost: "admin.internal")

    @Test(
        "Loopback names and the configured admin host are served, with any port",
        arguments: [
            "localhost", "localhost:9901", "127.0.0.1:1", "[::1]:9901", "[::1]", "admin.internal:9901", "Admin.Internal", nil,
        ]
    )
    func allowedHost(host: String?) {
        #expect(Self.policy.refusal(method: .get, host: host, origin: nil, fetchSite: nil) == nil)
    }

    @Test(
        "Other names get 421",
        arguments: [
            "evil.example", "evil.example:9901", "localhost.evil.example", "127.0.0.1:abc", "[::1]x", "", "::1:9901",
            "admin.internal.evil:80",
        ]
    )
    func otherHost(host: String) {
        #expect(Self.policy.refusal(method: .get, host: host, origin: nil, fetchSite: nil) == .misdirectedRequest)
    }

    @Test(
        "Addressed by an IP address (a kubelet probe or Prometheus scraping the pod's IP): served, as no DNS name can rebind it",
        arguments: ["10.1.2.3:9901", "10.1.2.3", "192.168.0.7:80", "[fd00::1]:9901", "[2001:db8::7]"]
    )
    func ipAddressHost(host: String) {
        #expect(Self.policy.refusal(method: .get, host: host, origin: nil, fetchSite: nil) == nil)
    }

    @Test(
        "Names that only look like addresses still get 421",
        arguments: [
            "10.1.2.3.evil.example", "999.1.1.1:9901", "1.2.3:9901", "10.1.2.3x", "[fd00::1.evil]", "0.0.0.0:9901", "[::]:9901",
        ]
    )
    func notAnAddress(host: String) {
        #expect(Self.policy.refusal(method: .get, host: host, origin: nil, fetchSite: nil) == .misdirectedRequest)
    }

    @Test("A wildcard admin host is not a name clients may use")
    func wildcard() {
        let policy = AdminRequestPolicy(adminHost: "0.0.0.0")
        #expect(policy.refusal(method: .get, host: "0.0.0.0:9901", origin: nil, fetchSite: nil) == .misdirectedRequest)
        #expect(policy.refusal(method: .get, host: "127.0.0.1:9901", origin: nil, fetchSite: nil) == nil)
    }

    @Test("State-changing requests from another origin get 403; no origin and the same origin are served")
    func origins() {
        let host = "127.0.0.1:9901"
        #expect(Self.policy.refusal(method: .post, host: host, origin: nil, fetchSite: nil) == nil)
        #expect(Self.policy.refusal(method: .post, host: host, origin: "http://127.0.0.1:9901", fetchSite: nil) == nil)
        #expect(Self.policy.refusal(method: .post, host: host, origin: nil, fetchSite: "same-origin") == nil)
        #expect(Self.policy.refusal(method: .post, host: host, origin: nil, fetchSite: "none") == nil)
        #expect(Self.policy.refusal(method: .post, host: host, origin: "http://evil.example", fetchSite: nil) == .forbidden)
        #expect(Self.policy.refusal(method: .post, host: host, origin: "null", fetchSite: nil) == .forbidden)
        #expect(Self.policy.refusal(method: .post, host: host, origin: "https://127.0.0.1:9901", fetchSite: nil) == .forbidden)
        #expect(Self.policy.refusal(method: .post, host: host, origin: nil, fetchSite: "cross-site") == .forbidden)
        #expect(Self.policy.refusal(method: .post, host: host, origin: nil, fetchSite: "same-site") == .forbidden)
        #expect(Self.policy.refusal(method: .delete, host: host, origin: "http://evil.example", fetchSite: nil) == .forbidden)
        // Reads are left to the browser's same-origin policy; the Host check stops rebinding.
        #expect(Self.policy.refusal(method: .get, host: host, origin: "http://evil.example", fetchSite: "cross-site") == nil)
    }
}
