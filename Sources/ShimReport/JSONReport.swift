import ShimCore

/// The `json` format: the whole summary, for other tools.
enum JSONReport {
    static func render(_ summary: UsageSummary, generatedAt: String) -> String {
        var writer = JSONWriter(capacity: 4096)
        writer.object { writer in
            writer.key("generatedAt")
            writer.string(generatedAt)
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
                        writer.key("client"); writer.string(client.name)
                        writer.key("calls"); writer.integer(client.calls)
                        writer.key("distinctCustomers"); writer.integer(client.customers.count)
                        writer.key("firstSeen"); writer.string(client.firstSeen)
                        writer.key("lastSeen"); writer.string(client.lastSeen)
                        writer.key("errorRate"); writer.value(.double(client.errorRate))
                        writer.key("topPrograms")
                        writer.array { writer in
                            for program in client.topPrograms() {
                                writer.object { writer in
                                    writer.key("programId"); writer.integer(program.program)
                                    writer.key("calls"); writer.integer(program.calls)
                                }
                            }
                        }
                        writer.key("topSources")
                        writer.array { writer in
                            for source in client.topSources() {
                                writer.object { writer in
                                    writer.key("source"); writer.string(source.source)
                                    writer.key("calls"); writer.integer(source.calls)
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
                        writer.key("day"); writer.string(day.day)
                        writer.key("calls"); writer.integer(day.calls)
                    }
                }
            }
            let trend = summary.trend
            writer.key("trend")
            writer.object { writer in
                writer.key("verdict"); writer.string(trend.verdict)
                writer.key("slopePerDay"); writer.value(.double(trend.slopePerDay))
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
        }
        return String(decoding: writer.bytes, as: UTF8.self) + "\n"
    }
}
