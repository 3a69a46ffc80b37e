#!/usr/bin/env python3
"""CPU per request of several promo-shim builds and of nginx, alternating, in one run.

On a shared machine CPU time per request moves by tens of per cent from one minute to the next;
alternating short rounds (nginx, build 1, build 2, ... then again) puts every target under the
same conditions, and the median of the rounds is steady where one long run is not. Prints, per
path, each target's median CPU microseconds per request, the spread of the rounds, and its ratio to
nginx's median.

    Benchmarks/ab.py --shim OLD_BINARY --shim NEW_BINARY [--rounds 7] [--duration 3] [--connections 64]

A shim may carry environment variables after `::`, e.g. to compare tracing off and on with one binary:
    Benchmarks/ab.py --shim BIN --shim 'BIN::OTEL_TRACES_EXPORTER=otlp,OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318'
`--otlp-sink` starts a loopback OTLP/HTTP receiver that accepts and discards spans, on a free port
it substitutes for `{otlp}` in those values.
"""
import http.server
import threading
import argparse
import os
import shutil
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import run  # noqa: E402  (the harness's nginx configuration, wrk scripts and process helpers)

HOST = run.HOST
BASE_PORT = 18940


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shim", required=True, action="append", help="release promo-shim binary (repeatable)")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--duration", type=int, default=3, help="seconds per round and target")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--coalesce-window-ms", type=int, default=0, help="run the shims with coalescing on")
    parser.add_argument("--otlp-sink", action="store_true", help="a loopback OTLP/HTTP receiver at {otlp}")
    args = parser.parse_args()
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    work = tempfile.mkdtemp(prefix="promo-shim-ab-")
    processes = run.Processes()
    mappings = os.path.join(os.path.dirname(__file__), "..", "mappings")
    upstream_port, nginx_port = BASE_PORT, BASE_PORT + 1
    try:
        for name, port, body, upstreams in (
            ("upstream", upstream_port, run.UPSTREAM_BODY, ""),
            ("nginx", nginx_port, run.PROXY_BODY,
             run.PROXY_UPSTREAMS.replace(str(run.PORTS["upstream"]), str(upstream_port))),
        ):
            prefix = os.path.join(work, name)
            os.makedirs(prefix)
            with open(os.path.join(prefix, "nginx.conf"), "w") as conf:
                conf.write(run.nginx_conf(prefix, port, body, upstreams))
            processes.start(name, [nginx, "-p", prefix, "-c", os.path.join(prefix, "nginx.conf")])
            run.wait_until_up(port)
        upstream_url = f"http://{HOST}:{upstream_port}"
        bulk = run.wrk_script(work, "POST", run.BULK_REQUEST)
        legacy = run.wrk_script(work, "POST", run.LEGACY_BODY)
        lookup = run.wrk_script(work, "GET", "")
        nginx_pid = next(p.pid for n, p in processes.started if n == "nginx")
        sink = ""
        if args.otlp_sink:
            class Sink(http.server.BaseHTTPRequestHandler):
                def do_POST(self):
                    self.rfile.read(int(self.headers.get("content-length", 0)))
                    self.send_response(200)
                    self.send_header("content-length", "0")
                    self.end_headers()

                def log_message(self, *arguments):
                    pass
            server = http.server.ThreadingHTTPServer((HOST, 0), Sink)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            sink = f"http://{HOST}:{server.server_address[1]}"
        targets = [("nginx proxy", nginx_pid, f"http://{HOST}:{nginx_port}", "/v2/promotion/bulk/directEarn", bulk)]
        for index, spec in enumerate(args.shim):
            binary, _, assignments = spec.partition("::")
            environment = dict(os.environ)
            for assignment in filter(None, assignments.split(",")):
                name, _, value = assignment.partition("=")
                environment[name] = value.replace("{otlp}", sink)
            port, admin = BASE_PORT + 10 + index, BASE_PORT + 30 + index
            extra = ["--coalesce-window-ms", str(args.coalesce_window_ms)] if args.coalesce_window_ms else []
            shim = processes.start(f"shim{index}", [binary, "serve", "--upstream", upstream_url, "--port", str(port),
                                                    "--admin-port", str(admin), "--log-level", "error",
                                                    "--mappings", mappings] + extra, env=environment)
            run.wait_until_up(admin, "/health")
            label = os.path.basename(binary) + (" " + assignments.split(",")[0] if assignments else "")
            targets.append((f"#{index + 1} {label}", shim.pid, f"http://{HOST}:{port}", run.LEGACY_PATH, legacy))
        paths = ("translation", "passthrough")
        samples = {(path, label): [] for path in paths for label, *_ in targets}
        for round_index in range(args.rounds):
            for path in paths:
                for label, pid, base, translated, script in targets:
                    url = base + (translated if path == "translation" else run.LOOKUP_PATH)
                    if round_index == 0:
                        run.run_wrk(url, script if path == "translation" else lookup, 16, 1)
                    before = run.cpu_seconds(pid)
                    result = run.run_wrk(url, script if path == "translation" else lookup, args.connections, args.duration)
                    per = (run.cpu_seconds(pid) - before) / max(1, result["requests"]) * 1e6
                    if result["errors"] or result["non2xx"]:
                        print(f"  {label} {path}: {result['errors']} errors, {result['non2xx']} non-2xx", flush=True)
                    samples[(path, label)].append(per)
            print(f"  round {round_index + 1}/{args.rounds} done", flush=True)
        print(f"\n| path | target | CPU us/request, median of {args.rounds} | spread (min-max) | vs nginx |")
        print("| --- | --- | ---: | ---: | ---: |")
        for path in paths:
            nginx_median = statistics.median(samples[(path, "nginx proxy")])
            for label, *_ in targets:
                values = samples[(path, label)]
                median = statistics.median(values)
                print(f"| {path} | {label} | {median:.1f} | {min(values):.1f}-{max(values):.1f} | "
                      f"{median / nginx_median:.2f}x |")
    finally:
        processes.stop_all()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
