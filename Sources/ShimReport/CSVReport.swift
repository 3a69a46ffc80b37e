import Foundation

/// The `csv` format: one table per `--section`, each importable as it is (one header row, then
/// rows). The default section, `clients`, keeps the output from before sections: one row per
/// client, then a blank line and one row per day.
enum CSVReport {
    static func render(_ summary: UsageSummary, context: ReportContext) -> String {
        var lines: [String]
        switch context.csvSection {
        case .clients:
            lines = ["client,calls,distinct_customers,first_seen,last_seen,error_rate,top_programs,top_sources"]
            for client in summary.clientsByCalls {
                lines.append(
                    row(
                        client.name, "\(client.calls)", "\(client.customers.count)", client.firstSeen, client.lastSeen,
                        String(client.errorRate), client.programsText, client.sourcesText
                    )
                )
            }
            lines.append("")
            lines.append("day,calls")
            lines += summary.dailySeries.map { "\($0.day),\($0.calls)" }
        case .contacts:
            let list = summary.contactList(now: context.now, sunsetMilliseconds: context.sunsetMilliseconds)
            lines = [
                "client,last_seen,calls_last_7_days,calls_last_30_days,projection,zero_date,days_after_sunset,"
                    + "brownout_refusals,sunset_refusals,dry_run_would_refuse"
            ]
            for contact in list.contacts {
                lines.append(
                    row(
                        contact.client, contact.lastSeen, "\(contact.callsLast7Days)", "\(contact.callsLast30Days)",
                        contact.projection.code, contact.projection.zeroDate ?? "",
                        contact.projection.daysAfterSunset.map(String.init) ?? "", "\(contact.brownoutRefusals)",
                        "\(contact.sunsetRefusals)", "\(contact.wouldBeRefusals)"
                    )
                )
            }
        case .ambiguous:
            lines = ["time,request_id,client,customer,program_id,promotion_id,outcome,codes"]
            for call in summary.ambiguousCalls.sorted {
                lines.append(
                    row(
                        call.timestamp, call.requestId, call.client, call.customer ?? "", call.programText,
                        call.promotionText, call.outcome, call.codesText
                    )
                )
            }
        case .retries:
            lines = ["client,calls_with_customer,repeats,repeats_after_failure,duplicate_request_ids,window_seconds"]
            let window = summary.retries.windowText
            for (client, counts) in summary.retries.clientsByRepeats {
                lines.append(
                    row(
                        client, "\(counts.calls)", "\(counts.repeats)", "\(counts.repeatsAfterFailure)",
                        "\(counts.duplicateRequestIds)", window
                    )
                )
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func row(_ cells: String...) -> String {
        cells.map(quoted).joined(separator: ",")
    }

    /// RFC 4180 quoting, plus a leading quote for cells a spreadsheet would run as a formula.
    private static func quoted(_ cell: String) -> String {
        var cell = cell
        if let first = cell.first, "=+-@".contains(first) { cell = "'" + cell }
        guard cell.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
