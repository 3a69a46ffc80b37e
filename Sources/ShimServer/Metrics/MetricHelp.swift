import Prometheus

/// The help text of every metric the shim exports, in one table: the registry insists that a
/// name always comes with the same text, and `promtool check metrics` that every metric has one.
enum MetricHelp {
    static let text: [String: String] = [
        "promo_shim_in_flight_requests": "Legacy calls being served now.",
        "promo_shim_upstream_duration_seconds": "Duration of upstream exchanges of legacy calls, by call (bulk, lookup, legacy).",
        "promo_shim_passthrough_requests_total": "Passthrough requests answered, by status class.",
        "promo_shim_legacy_path_variants_total": "Legacy calls that spelled the endpoint's path in a non-canonical way.",
        "promo_shim_legacy_call_duration_seconds": "Duration of legacy calls from arrival to answer, by outcome.",
        "promo_shim_legacy_calls_total": "Legacy calls answered, by client, outcome and first legacy code.",
        "promo_shim_deprecation_refusals_total":
            "Legacy calls deprecation.yaml refused (mode enforce, answered 410) or would have refused (mode dryRun), by client and reason (brownout or sunset).",
        "promo_shim_unmapped_codes_total":
            "Codes in legacy answers that the mapping tables do not know (relayed as the vendor sent them).",
        "promo_shim_build_info": "Always 1; the labels name the running build.",
        "process_cpu_seconds_total": "Total user and system CPU time spent in seconds.",
        "process_resident_memory_bytes": "Resident memory size in bytes.",
        "process_open_fds": "Number of open file descriptors.",
        "process_start_time_seconds": "Start time of the process since unix epoch in seconds.",
        "promo_shim_deprecation_date_seconds": "The legacy endpoint's deprecation date, in Unix seconds.",
        "promo_shim_sunset_date_seconds": "The legacy endpoint's sunset date, in Unix seconds.",
        "promo_shim_coalescing_wait_seconds": "How long coalesced legacy calls waited for their batch.",
        "promo_shim_coalescing_batch_size": "Legacy calls carried by each coalesced bulk call.",
        "promo_shim_mappings_info": "1 for the mapping set in force, 0 for the one it replaced, by version.",
        "promo_shim_mappings_reloads_total": "Mapping reloads, by result (ok, refused).",
        "promo_shim_mappings_last_reload_success": "1 when the last mapping reload succeeded, 0 when it was refused.",
        "promo_shim_usage_records_dropped_total":
            "Usage records dropped because the usage log could not keep up or was not written by the shutdown deadline.",
    ]

    /// The descriptor of `name`, with its help text.
    static func descriptor(_ name: String) -> MetricNameDescriptor {
        guard let help = text[name] else { preconditionFailure("metric \(name) has no help text in MetricHelp") }
        return MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}
