import ShimCore
import Testing

@Suite("Deprecation schedule")
struct DeprecationScheduleTests {
    static let example = """
        brownouts:
          - start: 2027-03-01T10:00:00Z
            end: 2027-03-01T11:00:00Z
            mode: enforce
            clients: [pos]
            exempt: [till]
          - start: 2027-04-01T10:00:00Z
            end: 2027-04-01T10:30:00Z
            mode: dryRun
            exempt: [till]
        afterSunset:
          action: reject
          exempt: [till]
        """

    private static func time(_ text: String) -> Int64 { RFC3339.parse(text)! }
    private static let sunset = time("2027-06-30T00:00:00Z")

    private func schedule(_ text: String = example) throws -> DeprecationSchedule {
        var files = try Fixtures.files()
        files["deprecation.yaml"] = text
        return try MappingSet(files: files).deprecation
    }

    @Test("RFC 3339 date-times parse to the millisecond, with offsets and fractions")
    func parsesTimes() {
        #expect(RFC3339.parse("1970-01-01T00:00:00Z") == 0)
        #expect(RFC3339.parse("2027-03-01T10:00:00Z") == 1_803_895_200_000)
        #expect(RFC3339.parse("2027-03-01T11:00:00+01:00") == 1_803_895_200_000)
        #expect(RFC3339.parse("2027-03-01T09:30:00.5-00:30") == 1_803_895_200_500)
        #expect(RFC3339.parse("2024-02-29T23:59:59.999Z") == 1_709_251_199_999)
        for bad in [
            "2027-03-01", "2027-03-01T10:00:00", "2027-02-29T00:00:00Z", "2027-13-01T00:00:00Z", "2027-03-01T10:00:00.Z", "x",
        ] {
            #expect(RFC3339.parse(bad) == nil, "\(bad)")
        }
        for millis: Int64 in [0, 1_803_981_600_123, 4_102_444_799_999] {
            #expect(RFC3339.parse(RFC3339.format(epochMilliseconds: millis)) == millis)
        }
    }

    @Test("An enforcing window refuses its clients from its first millisecond to its last, and no others")
    func windowEdges() throws {
        let schedule = try schedule()
        let start = Self.time("2027-03-01T10:00:00Z")
        let end = Self.time("2027-03-01T11:00:00Z")
        #expect(schedule.verdict(client: "pos", at: start - 1, sunset: Self.sunset) == .serve)
        #expect(schedule.verdict(client: "pos", at: start, sunset: Self.sunset) == .refuse(.brownout(end: end)))
        #expect(schedule.verdict(client: "pos", at: end - 1, sunset: Self.sunset) == .refuse(.brownout(end: end)))
        #expect(schedule.verdict(client: "pos", at: end, sunset: Self.sunset) == .serve)
        // `clients` limits the window; `exempt` is never refused.
        #expect(schedule.verdict(client: "web", at: start, sunset: Self.sunset) == .serve)
        #expect(schedule.verdict(client: "till", at: start, sunset: Self.sunset) == .serve)
    }

    @Test("A dry-run window serves every call and marks the ones it would refuse")
    func dryRun() throws {
        let schedule = try schedule()
        let start = Self.time("2027-04-01T10:00:00Z")
        let end = Self.time("2027-04-01T10:30:00Z")
        #expect(schedule.verdict(client: "web", at: start, sunset: Self.sunset) == .wouldRefuse(.brownout(end: end)))
        #expect(schedule.verdict(client: "till", at: start, sunset: Self.sunset) == .serve)
        #expect(schedule.verdict(client: "web", at: end, sunset: Self.sunset) == .serve)
    }

    @Test("From the sunset date on, calls are refused (or marked, with serve), exempt clients served")
    func afterSunset() throws {
        let schedule = try schedule()
        #expect(schedule.verdict(client: "pos", at: Self.sunset - 1, sunset: Self.sunset) == .serve)
        #expect(schedule.verdict(client: "pos", at: Self.sunset, sunset: Self.sunset) == .refuse(.sunset))
        #expect(schedule.verdict(client: "till", at: Self.sunset, sunset: Self.sunset) == .serve)
        #expect(schedule.verdict(client: "pos", at: Self.sunset, sunset: nil) == .serve)
        let serving = try self.schedule("afterSunset: { action: serve }\n")
        #expect(serving.verdict(client: "pos", at: Self.sunset, sunset: Self.sunset) == .wouldRefuse(.sunset))
        #expect(DeprecationSchedule.none.verdict(client: "pos", at: Self.sunset, sunset: Self.sunset) == .wouldRefuse(.sunset))
        #expect(DeprecationSchedule.none.verdict(client: "pos", at: 0, sunset: nil) == .serve)
    }

    @Test(
        "Invalid tables are refused with the file, line and reason",
        arguments: [
            (
                "brownouts:\n  - { start: 2027-03-01T10:00:00Z, end: 2027-03-01T11:00:00Z, mode: enforce }\n  - { start: 2027-03-01T10:59:59Z, end: 2027-03-01T12:00:00Z, mode: dryRun }\n",
                3, "overlaps"
            ),
            (
                "brownouts:\n  - { start: 2027-03-01T11:00:00Z, end: 2027-03-01T10:00:00Z, mode: enforce }\n", 2,
                "at or before its start"
            ),
            (
                "brownouts:\n  - { start: 2027-03-01T10:00:00Z, end: 2027-03-01T10:00:00Z, mode: enforce }\n", 2,
                "at or before its start"
            ),
            (
                "brownouts:\n  - { start: 2027-03-01T10:00:00Z, end: 2027-03-01T11:00:00Z, mode: always }\n", 2,
                "enforce or dryRun"
            ),
            ("brownouts:\n  - start: 2027-03-01\n    end: 2027-03-01T11:00:00Z\n    mode: enforce\n", 2, "RFC 3339"),
            (
                "brownouts:\n  - { start: 2027-03-01T10:00:00Z, end: 2027-03-01T11:00:00Z, mode: enforce, clients: [] }\n", 2,
                "empty list"
            ),
            (
                "brownouts:\n  - { start: 2027-03-01T10:00:00Z, end: 2027-03-01T11:00:00Z, mode: enforce, clients: [a], exempt: [a] }\n",
                2, "both covered and exempt"
            ),
            ("brownouts:\n  - { start: 2027-03-01T10:00:00Z, end: 2027-03-01T11:00:00Z }\n", 2, "missing required key 'mode'"),
            ("afterSunset:\n  action: explode\n", 2, "reject or serve"),
            ("sunset: 2027-01-01\n", 1, "unknown key"),
        ]
    )
    func invalidTables(text: String, line: Int, reason: String) throws {
        do {
            _ = try schedule(text)
            Issue.record("accepted: \(text)")
        } catch let error as MappingError {
            #expect(error.file == "deprecation.yaml")
            #expect(error.line == line, "\(error)")
            #expect(error.reason.contains(reason), "\(error)")
        }
    }

    @Test("A window past the sunset date, or reject without a sunset date, is refused against the policy")
    func checkedAgainstTheSunset() throws {
        let schedule = try schedule()
        try schedule.check(sunset: Self.sunset)
        let late = try self.schedule(
            "brownouts:\n  - { start: 2027-06-29T23:00:00Z, end: 2027-06-30T00:00:00.001Z, mode: dryRun }\n")
        #expect(throws: MappingError.self) { try late.check(sunset: Self.sunset) }
        do {
            try late.check(sunset: Self.sunset)
        } catch {
            #expect(error.line == 2 && error.reason.contains("past the sunset date"), "\(error)")
        }
        try late.check(sunset: Self.sunset + 1)
        try late.check(sunset: nil)
        #expect(throws: MappingError.self) { try schedule.check(sunset: nil) }
    }

    @Test("The file is optional, changes the mappings version when present, and is summarised")
    func optionalAndVersioned() throws {
        let files = try Fixtures.files()
        let without = try MappingSet(files: files)
        #expect(without.deprecation == .none)
        var with = files
        with["deprecation.yaml"] = Self.example
        let set = try MappingSet(files: with)
        #expect(set.version != without.version)
        #expect(set.deprecation.brownouts.count == 2)
        #expect(set.summary.contains("deprecation: 2 brownout window(s), after the sunset date: reject (exempt: till)"))
        #expect(set.summary.contains("2027-03-01T10:00:00.000Z to 2027-03-01T11:00:00.000Z enforce for pos (exempt: till)"))
    }
}
