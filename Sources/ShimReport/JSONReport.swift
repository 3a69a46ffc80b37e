import ShimCore

/// The `json` format: the whole summary, for other tools.
enum JSONReport {
    static func render(_ summary: UsageSummary, context: ReportContext) -> String {
        var writer = JSONWriter(capacity: 4096)
        writer.object { writer in
            writer.member("generatedAt", context.generatedAt)
            if let since = summary.since { writer.member("since", since) }
            writer.member("totalCalls", summary.totalCalls)
            writer.member("skippedLines", summary.skippedLines)
            writer.objects("clients", summary.clientsByCalls) { writer, client in
                writer.member("client", client.name)
                writer.member("calls", client.calls)
                writer.member("distinctCustomers", client.customers.count)
                writer.member("firstSeen", client.firstSeen)
                writer.member("lastSeen", client.lastSeen)
                writer.member("errorRate", client.errorRate)
                writer.objects("topPrograms", client.topPrograms()) { writer, program in
                    writer.member("programId", program.program)
                    writer.member("calls", program.calls)
                }
                writer.objects("topSources", client.topSources()) { writer, source in
                    writer.member("source", source.source)
                    writer.member("calls", source.calls)
                }
            }
            writer.objects("days", summary.dailySeries) { writer, day in
                writer.member("day", day.day)
                writer.member("calls", day.calls)
            }
            let trend = summary.trend
            writer.object("trend") { writer in
                writer.member("verdict", trend.verdict)
                writer.member("slopePerDay", trend.slopePerDay)
                writer.member("zeroDate", trend.zeroDate)
            }
            writer.counts("outcomes", summary.outcomes)
            writer.counts("unknownOutcomes", summary.unknownOutcomes)
            contacts(summary.contactList(now: context.now, sunsetMilliseconds: context.sunsetMilliseconds), into: &writer)
            ambiguous(summary.ambiguousCalls, into: &writer)
            retries(summary.retries, into: &writer)
        }
        return String(decoding: writer.bytes, as: UTF8.self) + "\n"
    }
}

extension JSONReport {
    /// `referenceDay`, `sunsetDate`, `daysToSunset` and `contacts`.
    fileprivate static func contacts(_ list: ContactList, into writer: inout JSONWriter) {
        writer.member("referenceDay", list.referenceDay)
        writer.member("sunsetDate", list.sunsetDay)
        writer.member("daysToSunset", list.daysToSunset)
        writer.objects("contacts", list.contacts) { writer, contact in
            writer.member("client", contact.client)
            writer.member("lastSeen", contact.lastSeen)
            writer.member("callsLast7Days", contact.callsLast7Days)
            writer.member("callsLast30Days", contact.callsLast30Days)
            writer.member("projection", contact.projection.code)
            writer.member("projectionText", contact.projection.text)
            writer.member("zeroDate", contact.projection.zeroDate)
            writer.member("daysAfterSunset", contact.projection.daysAfterSunset)
            writer.member("brownoutRefusals", contact.brownoutRefusals)
            writer.member("sunsetRefusals", contact.sunsetRefusals)
            writer.member("dryRunWouldRefuse", contact.wouldBeRefusals)
        }
    }

    /// `ambiguous`: the calls to reconcile, with the count of those not listed.
    fileprivate static func ambiguous(_ calls: AmbiguousCalls, into writer: inout JSONWriter) {
        writer.object("ambiguous") { writer in
            writer.member("total", calls.total)
            writer.member("omitted", calls.omitted)
            writer.objects("calls", calls.sorted) { writer, call in
                writer.member("ts", call.timestamp)
                writer.member("requestId", call.requestId)
                writer.member("client", call.client)
                writer.member("customer", call.customer)
                writer.member("programId", call.programId)
                writer.member("promotionId", call.promotionId)
                writer.member("outcome", call.outcome)
                writer.key("codes")
                writer.array { writer in call.codes.forEach { writer.integer($0) } }
            }
        }
    }

    /// `retries`: the window and the figures per client.
    fileprivate static func retries(_ retries: RetrySuspicion, into writer: inout JSONWriter) {
        writer.object("retries") { writer in
            writer.member("windowSeconds", Double(retries.windowMilliseconds) / 1000)
            writer.objects("clients", retries.clientsByRepeats) { writer, entry in
                writer.member("client", entry.client)
                writer.member("callsWithCustomer", entry.counts.calls)
                writer.member("repeats", entry.counts.repeats)
                writer.member("repeatsAfterFailure", entry.counts.repeatsAfterFailure)
                writer.member("duplicateRequestIds", entry.counts.duplicateRequestIds)
            }
        }
    }
}
