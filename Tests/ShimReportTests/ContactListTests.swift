import ShimCore
import ShimReport
import Testing

@Suite("Contact list")
struct ContactListTests {
    @Test("Per client: last seen, last 7 and 30 days, projection against the sunset, brownout figures")
    func figures() throws {
        let list = try SectionFixture.summary().contactList(sunsetMilliseconds: SectionFixture.sunset)
        #expect(list.referenceDay == "2026-11-20")
        #expect(list.sunsetDay == "2026-11-25")
        #expect(list.daysToSunset == 5)
        #expect(list.contacts.map(\.client) == ["pos", "till", "kiosk", "old"])
        let pos = list.contacts[0]
        #expect(pos.lastSeen == "2026-11-20T03:40:00.000Z")
        #expect((pos.callsLast7Days, pos.callsLast30Days) == (98, 155))
        #expect(pos.projection == .missesSunset(days: 6, zeroDate: "2026-12-01"))
        #expect(pos.projection.text == "projected to miss the sunset by 6 days")
        #expect((pos.brownoutRefusals, pos.sunsetRefusals, pos.wouldBeRefusals) == (2, 0, 3))
        let till = list.contacts[1]
        #expect(till.lastSeen == "2026-11-20T01:00:00.000Z")
        #expect((till.callsLast7Days, till.callsLast30Days) == (28, 55))
        #expect(till.projection == .onTrack(zeroDate: "2026-11-21"))
        #expect(till.projection.text == "on track, zero by 2026-11-21")
        #expect(list.contacts[2].projection == .noDecline)
        #expect((list.contacts[2].callsLast7Days, list.contacts[2].callsLast30Days) == (4, 4))
        #expect(list.contacts[3].projection == .stopped)
        #expect(list.contacts[3].lastSeen == "2026-10-01T00:00:00.000Z")
    }

    @Test("Without a sunset date a falling client is only falling; --now moves the windows")
    func referenceAndNoSunset() throws {
        let summary = try SectionFixture.summary()
        let noSunset = summary.contactList()
        #expect(noSunset.daysToSunset == nil)
        #expect(noSunset.contacts[0].projection == .falling(zeroDate: "2026-12-01"))
        let later = summary.contactList(
            now: RFC3339.milliseconds("2026-11-30T12:00:00Z"), sunsetMilliseconds: SectionFixture.sunset)
        #expect(later.referenceDay == "2026-11-30")
        #expect(later.daysToSunset == -5)
        let till = try #require(later.contacts.first { $0.client == "till" })
        #expect((till.callsLast7Days, till.callsLast30Days) == (0, 55))
        let old = summary.contactList(now: RFC3339.milliseconds("2026-10-01T00:00:00Z"))
        #expect(old.contacts.first { $0.client == "old" }?.callsLast7Days == 1)
        #expect(old.contacts.first { $0.client == "old" }?.projection == .tooFewDays)
    }
}
