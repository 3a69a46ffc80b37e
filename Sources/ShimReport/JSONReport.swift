import ShimCore

/// The `json` format: the whole summary, for other tools.
enum JSONReport {
    static func render(_ summary: UsageSummary, context: ReportContext) -> String {
        var writer = JSONWriter(capacity: 4096)
        writer.object { writer in
            writer.key("generatedAt")
            writer.string(context.generatedAt)
            if let since = summary.since {
                writer.key("since")
                writer.string(since)
            }
            writer.key("totalCalls")
            writer.integer(summary.totalCalls)
            writer.key("skippedLines")
            writer.integer(summary.skippedLines)
            writer.key("clients")
            writer.array { writer in
                for client in summary.clientsByCalls {
                    writer.object { writer in
                        writer.key("client")
                        writer.string(client.name)
                        writer.key("calls")
                        writer.integer(client.calls)
                        writer.key("distinctCustomers")
                        writer.integer(client.customers.count)
                        writer.key("firstSeen")
                        writer.string(client.firstSeen)
                        writer.key("lastSeen")
                        writer.string(client.lastSeen)
                        writer.key("errorRate")
                        writer.value(.double(client.errorRate))
                        writer.key("topPrograms")
                        writer.array { writer in
                            for program in client.topPrograms() {
                                writer.object { writer in
                                    writer.key("programId")
                                    writer.integer(program.program)
                                    writer.key("calls")
                                    writer.integer(program.calls)
                                }
                            }
                        }
                        writer.key("topSources")
                        writer.array { writer in
                            for source in client.topSources() {
                                writer.object { writer in
                                    writer.key("source")
                                    writer.string(source.source)
                                    writer.key("calls")
                                    writer.integer(source.calls)
                                }
                            }
                        }
                    }
                }
            }
            writer.key("days")
            writer.array { writer in
                for day in summary.dailySeries {
                    writer.object { writer in
                        writer.key("day")
                        writer.string(day.day)
                        writer.key("calls")
                        writer.integer(day.calls)
                    }
                }
            }
            let trend = summary.trend
            writer.key("trend")
            writer.object { writer in
                writer.key("verdict")
                writer.string(trend.verdict)
                writer.key("slopePerDay")
                writer.value(.double(trend.slopePerDay))
                writer.key("zeroDate")
                if let zero = trend.zeroDate { writer.string(zero) } else { writer.value(.null) }
            }
            writer.key("outcomes")
            writer.object { writer in
                for (outcome, count) in summary.outcomes.sorted(by: { $0.key < $1.key }) {
                    writer.key(outcome)
                    writer.integer(count)
                }
            }
            writer.key("unknownOutcomes")
            writer.object { writer in
                for (outcome, count) in summary.unknownOutcomes.sorted(by: { $0.key < $1.key }) {
                    writer.key(outcome)
                    writer.integer(count)
                }
            }
            contacts(summary.contactList(now: context.now, sunsetMilliseconds: context.sunsetMilliseconds), into: &writer)
            ambiguous(summary.ambiguousCalls, into: &writer)
            retries(summary.retries, into: &writer)
        }
        return String(decoding: writer.bytes, as: UTF8.self) + "\n"
    }
}

extension JSONReport {
    fileprivate static func optional(_ text: String?, into writer: inout JSONWriter) {
        if let text { writer.string(text) } else { writer.value(.null) }
    }

    fileprivate static func optional(_ number: (some BinaryInteger)?, into writer: inout JSONWriter) {
        if let number { writer.integer(number) } else { writer.value(.null) }
    }

    /// `referenceDay`, `sunsetDate`, `daysToSunset` and `contacts`.
    fileprivate static func contacts(_ list: ContactList, into writer: inout JSONWriter) {
        writer.key("referenceDay")
        optional(list.referenceDay, into: &writer)
        writer.key("sunsetDate")
        optional(list.sunsetDay, into: &writer)
        writer.key("daysToSunset")
        optional(list.daysToSunset, into: &writer)
        writer.key("contacts")
        writer.array { writer in
            for contact in list.contacts {
                writer.object { writer in
                    writer.key("client")
                    writer.string(contact.client)
                    writer.key("lastSeen")
                    writer.string(contact.lastSeen)
                    writer.key("callsLast7Days")
                    writer.integer(contact.callsLast7Days)
                    writer.key("callsLast30Days")
                    writer.integer(contact.callsLast30Days)
                    writer.key("projection")
                    writer.string(contact.projection.code)
                    writer.key("projectionText")
                    writer.string(contact.projection.text)
                    writer.key("zeroDate")
                    optional(contact.projection.zeroDate, into: &writer)
                    writer.key("daysAfterSunset")
                    optional(contact.projection.daysAfterSunset, into: &writer)
                    writer.key("brownoutRefusals")
                    writer.integer(contact.brownoutRefusals)
                    writer.key("sunsetRefusals")
                    writer.integer(contact.sunsetRefusals)
                    writer.key("dryRunWouldRefuse")
                    writer.integer(contact.wouldBeRefusals)
                }
            }
        }
    }

    /// `ambiguous`: the calls to reconcile, with the count of those not listed.
    fileprivate static func ambiguous(_ calls: AmbiguousCalls, into writer: inout JSONWriter) {
        writer.key("ambiguous")
        writer.object { writer in
            writer.key("total")
            writer.integer(calls.total)
            writer.key("omitted")
            writer.integer(calls.omitted)
            writer.key("calls")
            writer.array { writer in
                for call in calls.sorted {
                    writer.object { writer in
                        writer.key("ts")
                        writer.string(call.timestamp)
                        writer.key("requestId")
                        writer.string(call.requestId)
                        writer.key("client")
                        writer.string(call.client)
                        writer.key("customer")
                        optional(call.customer, into: &writer)
                        writer.key("programId")
                        optional(call.programId, into: &writer)
                        writer.key("promotionId")
                        optional(call.promotionId, into: &writer)
                        writer.key("outcome")
                        writer.string(call.outcome)
                        writer.key("codes")
                        writer.array { writer in call.codes.forEach { writer.integer($0) } }
                    }
                }
            }
        }
    }

    /// `retries`: the window and the figures per client.
    fileprivate static func retries(_ retries: RetrySuspicion, into writer: inout JSONWriter) {
        writer.key("retries")
        writer.object { writer in
            writer.key("windowSeconds")
            writer.value(.double(Double(retries.windowMilliseconds) / 1000))
            writer.key("clients")
            writer.array { writer in
                for (client, counts) in retries.clientsByRepeats {
                    writer.object { writer in
                        writer.key("client")
                        writer.string(client)
                        writer.key("callsWithCustomer")
                        writer.integer(counts.calls)
                        writer.key("repeats")
                        writer.integer(counts.repeats)
                        writer.key("repeatsAfterFailure")
                        writer.integer(counts.repeatsAfterFailure)
                        writer.key("duplicateRequestIds")
                        writer.integer(counts.duplicateRequestIds)
                    }
                }
            }
        }
    }
}
