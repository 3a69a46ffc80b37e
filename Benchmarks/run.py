#!/usr/bin/env python3
"""promo-shim benchmark harness.

On one machine and in one run: a fixed-answer upstream (nginx), nginx as a plain reverse proxy in
front of it (the floor for any proxy), a no-op Swift server (the runtime's ceiling), and promo-shim
(release build) in front of the same upstream; wrk drives each at several concurrencies on the
legacy translation path and on the passthrough path. Prints one table with throughput, latency
percentiles, peak RSS and CPU per 10k requests, and the shim's figures as ratios. Everything it
starts it stops by PID; it only talks to 127.0.0.1.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

HOST = "127.0.0.1"
PORTS = {"upstream": 18901, "nginx": 18902, "shim": 18903, "noop": 18904, "shim-log": 18905, "sandbox": 18907,
         "shim-single": 18908, "shim-coalesce": 18909}
ADMIN_PORTS = {"shim": 18913, "shim-log": 18915, "shim-single": 18918, "shim-coalesce": 18919}
BULK_BODY = ('{"response":[{"result":{"entityType":"CUSTOMER","entityId":423924812,"promotionId":201436,'
             '"programId":2750,"issualId":"811","earnedId":"765"},"errors":[],"warnings":[]}],'
             '"totalCount":1,"failureCount":0}')
LOOKUP_BODY = '{"entity":552695692,"warnings":[]}'
BULK_REQUEST = ('{"type":"CUSTOMER","bulkAction":"ENROL","promotionDetails":{"programId":469,"promotionId":65777},'
                '"identifierName":"mobile","customers":[{"identifierValue":"918888888888","source":"INSTORE"}]}')
LEGACY_PATH = "/v2/promotion/issue?identifierName=mobile&identifierValue=918888888888&source=INSTORE"
LEGACY_BODY = '{"programId":469,"promotionId":65777}'
LOOKUP_PATH = "/v2/customers/lookup?source=INSTORE&identifierName=externalId&identifierValue=EXT-1001"
AUTH = "Basic dGlsbDpzZWNyZXQ="
TICKS = os.sysconf("SC_CLK_TCK")


def nginx_conf(prefix, listen, body, upstreams=""):
    return f"""
worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 8192; }}
http {{
    access_log off;
    keepalive_requests 10000000;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    {upstreams}
    server {{
        listen {HOST}:{listen} reuseport;
        {body}
    }}
}}
"""


UPSTREAM_BODY = f"""
        default_type application/json;
        location = /v2/promotion/bulk/directEarn {{ return 200 '{BULK_BODY}'; }}
        location = /v2/customers/lookup {{ return 200 '{LOOKUP_BODY}'; }}
        location / {{ return 200 '{{}}'; }}
"""

PROXY_UPSTREAMS = f"upstream vendor {{ server {HOST}:{PORTS['upstream']}; keepalive 256; keepalive_requests 10000000; }}"

PROXY_BODY = f"""
        location / {{
            proxy_pass http://vendor;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }}
"""


class Processes:
    """Everything the harness started, stopped by PID at the end."""

    def __init__(self):
        self.started = []

    def start(self, name, argv, **kwargs):
        process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=kwargs.pop("stderr", subprocess.DEVNULL), **kwargs)
        self.started.append((name, process))
        return process

    def stop(self, process):
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def stop_all(self):
        for _, process in reversed(self.started):
            self.stop(process)


def wait_until_up(port, path="/", attempts=100):
    for _ in range(attempts):
        try:
            urllib.request.urlopen(f"http://{HOST}:{port}{path}", timeout=1)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answered on {HOST}:{port}")


def process_tree(pid):
    """The PID and its children (nginx: master and worker)."""
    pids = [pid]
    try:
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
        pids += [int(child) for child in children]
    except FileNotFoundError:
        pass
    return pids


def status_kb(pid, field):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except FileNotFoundError:
        return 0
    return 0


def memory_mb(pid, field="VmHWM"):
    return sum(status_kb(p, field) for p in process_tree(pid)) / 1024


def cpu_seconds(pid):
    total = 0
    for p in process_tree(pid):
        try:
            with open(f"/proc/{p}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
        except FileNotFoundError:
            pass
    return total / TICKS


def wrk_script(directory, method, body):
    path = os.path.join(directory, f"{method.lower()}-{abs(hash(body)) % 100000}.lua")
    with open(path, "w") as script:
        script.write(f'wrk.method = "{method}"\n')
        if body:
            script.write(f"wrk.body = '{body}'\n")
            script.write('wrk.headers["Content-Type"] = "application/json"\n')
        script.write(f'wrk.headers["Authorization"] = "{AUTH}"\n')
        script.write("""
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format('RESULT {"requests":%d,"duration_us":%d,"errors":%d,"non2xx":%d,"p50":%d,"p99":%d,"p999":%d}\\n',
    summary.requests, summary.duration, errors, summary.errors.status,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9)))
end
""")
    return path


def run_wrk(url, script, connections, duration):
    threads = 1
    output = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "5s", "-s", script, url],
        capture_output=True, text=True, check=True,
    ).stdout
    line = next(l for l in output.splitlines() if l.startswith("RESULT "))
    result = json.loads(line[len("RESULT "):])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def measure(name, pid, url, script, connections, duration):
    cpu_before = cpu_seconds(pid)
    result = run_wrk(url, script, connections, duration)
    result["cpu_per_10k"] = (cpu_seconds(pid) - cpu_before) / max(1, result["requests"]) * 10000
    result["peak_rss_mb"] = memory_mb(pid)
    result["target"] = name
    result["connections"] = connections
    print(f"  {name:<22} c={connections:<4} {result['rps']:>9.0f} req/s  p50 {result['p50']/1000:6.2f} ms  "
          f"p99 {result['p99']/1000:6.2f} ms  errors {result['errors']}+{result['non2xx']}", flush=True)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shim", required=True, help="path to the release promo-shim binary")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", default="1,16,64,256", help="comma-separated concurrencies")
    parser.add_argument("--soak", type=int, default=120, help="seconds of the memory soak (0 skips it)")
    parser.add_argument("--json", help="also write the raw results here")
    parser.add_argument("--coalesce-window-ms", type=int, default=2, help="window of the coalescing run")
    args = parser.parse_args()
    concurrencies = [int(c) for c in args.connections.split(",")]
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    work = tempfile.mkdtemp(prefix="promo-shim-bench-")
    processes = Processes()
    results = []
    try:
        for name, body, port, upstreams in (("upstream", UPSTREAM_BODY, PORTS["upstream"], ""),
                                            ("nginx", PROXY_BODY, PORTS["nginx"], PROXY_UPSTREAMS)):
            prefix = os.path.join(work, name)
            os.makedirs(prefix)
            with open(os.path.join(prefix, "nginx.conf"), "w") as conf:
                conf.write(nginx_conf(prefix, port, body, upstreams))
            processes.start(name, [nginx, "-p", prefix, "-c", os.path.join(prefix, "nginx.conf")])
            wait_until_up(port)
        upstream_url = f"http://{HOST}:{PORTS['upstream']}"
        pids = {name: process.pid for name, process in processes.started}
        shim = processes.start("shim", [args.shim, "serve", "--upstream", upstream_url, "--port", str(PORTS["shim"]),
                                        "--admin-port", str(ADMIN_PORTS["shim"]), "--log-level", "error",
                                        "--mappings", os.path.join(os.path.dirname(__file__), "..", "mappings")])
        noop = processes.start("noop", [args.shim, "noop-server", "--port", str(PORTS["noop"])])
        wait_until_up(ADMIN_PORTS["shim"], "/health")
        wait_until_up(PORTS["noop"], "/")
        pids["shim"], pids["noop"] = shim.pid, noop.pid

        bulk = wrk_script(work, "POST", BULK_REQUEST)
        legacy = wrk_script(work, "POST", LEGACY_BODY)
        lookup = wrk_script(work, "GET", "")
        translation = [
            ("upstream direct", "upstream", f"{upstream_url}/v2/promotion/bulk/directEarn", bulk),
            ("nginx proxy", "nginx", f"http://{HOST}:{PORTS['nginx']}/v2/promotion/bulk/directEarn", bulk),
            ("no-op swift server", "noop", f"http://{HOST}:{PORTS['noop']}{LEGACY_PATH}", legacy),
            ("promo-shim legacy", "shim", f"http://{HOST}:{PORTS['shim']}{LEGACY_PATH}", legacy),
        ]
        passthrough = [
            ("upstream direct", "upstream", f"{upstream_url}{LOOKUP_PATH}", lookup),
            ("nginx proxy", "nginx", f"http://{HOST}:{PORTS['nginx']}{LOOKUP_PATH}", lookup),
            ("promo-shim passthrough", "shim", f"http://{HOST}:{PORTS['shim']}{LOOKUP_PATH}", lookup),
        ]
        for path_name, targets in (("translation", translation), ("passthrough", passthrough)):
            print(f"== {path_name} path", flush=True)
            for label, process_name, url, script in targets:
                run_wrk(url, script, 16, 1)  # warm-up: connections, caches, JIT-free but allocator-warm
                for connections in concurrencies:
                    result = measure(label, pids[process_name], url, script, connections, args.duration)
                    result["path"] = path_name
                    results.append(result)

        print("== usage log on (to a file), 64 connections", flush=True)
        log_path = os.path.join(work, "usage.log")
        shim_log = processes.start("shim-log", [args.shim, "serve", "--upstream", upstream_url, "--port", str(PORTS["shim-log"]),
                                                "--admin-port", str(ADMIN_PORTS["shim-log"]), "--log-level", "error",
                                                "--usage-log", log_path, "--customer-hash-key", "bench",
                                                "--mappings", os.path.join(os.path.dirname(__file__), "..", "mappings")])
        wait_until_up(ADMIN_PORTS["shim-log"], "/health")
        run_wrk(f"http://{HOST}:{PORTS['shim-log']}{LEGACY_PATH}", legacy, 16, 1)
        time.sleep(1)
        with open(log_path) as log:
            records_before = sum(1 for _ in log)
        logged = measure("promo-shim + usage log", shim_log.pid, f"http://{HOST}:{PORTS['shim-log']}{LEGACY_PATH}", legacy, 64, args.duration)
        logged["path"] = "usage-log"
        results.append(logged)
        processes.stop(shim_log)
        with open(log_path) as log:
            logged["records"] = sum(1 for _ in log) - records_before

        print(f"== coalescing: over the sandbox vendor (it answers one entity per customer), window {args.coalesce_window_ms} ms", flush=True)
        mappings = os.path.join(os.path.dirname(__file__), "..", "mappings")
        processes.start("sandbox", [args.shim, "sandbox", "--port", str(PORTS["sandbox"]), "--log-level", "error"])
        wait_until_up(PORTS["sandbox"], "/")
        sandbox_url = f"http://{HOST}:{PORTS['sandbox']}"
        for name, extra in (("shim-single", []), ("shim-coalesce", ["--coalesce-window-ms", str(args.coalesce_window_ms), "--coalesce-max", "10"])):
            shim_mode = processes.start(name, [args.shim, "serve", "--upstream", sandbox_url, "--port", str(PORTS[name]),
                                               "--admin-port", str(ADMIN_PORTS[name]), "--log-level", "error",
                                               "--mappings", mappings] + extra)
            wait_until_up(ADMIN_PORTS[name], "/health")
            url = f"http://{HOST}:{PORTS[name]}{LEGACY_PATH}"
            run_wrk(url, legacy, 16, 1)
            for connections in [c for c in concurrencies if c >= 64] or [64]:
                before = scrape_counts(ADMIN_PORTS[name])
                result = measure(f"{'coalescing' if extra else 'one call per legacy call'}", shim_mode.pid, url, legacy,
                                 connections, args.duration)
                after = scrape_counts(ADMIN_PORTS[name])
                legacy_calls = after[0] - before[0]
                result["upstream_per_legacy"] = (after[1] - before[1]) / legacy_calls if legacy_calls else 0
                result["path"] = "coalescing"
                results.append(result)
                print(f"    upstream calls per legacy call: {result['upstream_per_legacy']:.3f}", flush=True)
            processes.stop(shim_mode)

        soak = None
        if args.soak > 0:
            print(f"== soak: {args.soak} s at 64 connections on the legacy path", flush=True)
            rss_start = memory_mb(shim.pid, "VmRSS")
            soak_result = run_wrk(f"http://{HOST}:{PORTS['shim']}{LEGACY_PATH}", legacy, 64, args.soak)
            rss_end = memory_mb(shim.pid, "VmRSS")
            soak = {"seconds": args.soak, "rss_start_mb": rss_start, "rss_end_mb": rss_end, "rps": soak_result["rps"],
                    "peak_rss_mb": memory_mb(shim.pid)}
            print(f"  RSS at start {rss_start:.1f} MB, at end {rss_end:.1f} MB, {soak_result['rps']:.0f} req/s", flush=True)
    finally:
        processes.stop_all()
        shutil.rmtree(work, ignore_errors=True)

    print_table(results, concurrencies, soak)
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"results": results, "soak": soak}, out, indent=2)


def scrape_counts(admin_port):
    """(legacy calls, upstream bulk calls) from the shim's /metrics."""
    text = urllib.request.urlopen(f"http://{HOST}:{admin_port}/metrics", timeout=5).read().decode()
    legacy = bulk = 0.0
    for line in text.splitlines():
        if line.startswith("promo_shim_legacy_calls_total{"):
            legacy += float(line.rsplit(" ", 1)[1])
        if line.startswith('promo_shim_upstream_duration_seconds_count{call="bulk"}'):
            bulk += float(line.rsplit(" ", 1)[1])
    return legacy, bulk


def print_table(results, concurrencies, soak):
    def find(path, target, connections):
        return next((r for r in results if r["path"] == path and r["target"] == target and r["connections"] == connections), None)

    print()
    print("| path | target | conns | req/s | p50 ms | p99 ms | p99.9 ms | peak RSS MB | CPU s/10k req | errors |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        print(f"| {r['path']} | {r['target']} | {r['connections']} | {r['rps']:.0f} | {r['p50']/1000:.2f} | {r['p99']/1000:.2f} | "
              f"{r['p999']/1000:.2f} | {r['peak_rss_mb']:.1f} | {r['cpu_per_10k']:.3f} | {r['errors'] + r['non2xx']} |")
    print()
    print("| ratio | conns | value | target |")
    print("| --- | ---: | ---: | --- |")
    for c in concurrencies:
        shim, nginx, upstream, noop = (find("translation", t, c) for t in
                                       ("promo-shim legacy", "nginx proxy", "upstream direct", "no-op swift server"))
        if shim and nginx:
            print(f"| translation: shim / nginx proxy throughput | {c} | {shim['rps']/nginx['rps']:.2f}x | >= 0.6x at 64 (stretch 0.75x) |")
        if shim and noop:
            print(f"| translation: shim / no-op swift server throughput | {c} | {shim['rps']/noop['rps']:.2f}x | |")
        if shim and upstream:
            print(f"| translation: shim / upstream direct throughput | {c} | {shim['rps']/upstream['rps']:.2f}x | |")
            print(f"| translation: added p50 latency over upstream | {c} | {(shim['p50']-upstream['p50'])/1000:.3f} ms | < 0.2 ms at 64 |")
            print(f"| translation: added p99 latency over upstream | {c} | {(shim['p99']-upstream['p99'])/1000:.3f} ms | < 1 ms at 64 |")
        pshim, pnginx = find("passthrough", "promo-shim passthrough", c), find("passthrough", "nginx proxy", c)
        if pshim and pnginx:
            print(f"| passthrough: shim / nginx proxy throughput | {c} | {pshim['rps']/pnginx['rps']:.2f}x | >= 0.75x |")
    shim256 = find("translation", "promo-shim legacy", 256)
    if shim256:
        print(f"| shim peak RSS after the 256-connection run | 256 | {shim256['peak_rss_mb']:.1f} MB | < 64 MB |")
    logged = next((r for r in results if r["path"] == "usage-log"), None)
    plain = find("translation", "promo-shim legacy", 64)
    if logged and plain:
        print(f"| usage log on: throughput cost | 64 | {(1 - logged['rps']/plain['rps'])*100:.1f} % | < 5 % |")
        print(f"| usage log on: records written / requests | 64 | {logged.get('records', 0)} / {logged['requests']} | equal |")
    for c in concurrencies:
        single = find("coalescing", "one call per legacy call", c)
        coalesced = find("coalescing", "coalescing", c)
        if single and coalesced:
            print(f"| coalescing: upstream calls per legacy call | {c} | {coalesced['upstream_per_legacy']:.3f} "
                  f"(without: {single['upstream_per_legacy']:.3f}) | <= 0.15 at 256 |")
            print(f"| coalescing: throughput vs one call per legacy call | {c} | {coalesced['rps']/single['rps']:.2f}x | >= 2x at 256 |")
            print(f"| coalescing: p50 / p99 latency vs one call per legacy call | {c} | {coalesced['p50']/1000:.2f} / "
                  f"{coalesced['p99']/1000:.2f} ms vs {single['p50']/1000:.2f} / {single['p99']/1000:.2f} ms | |")
    if soak:
        print(f"| soak {soak['seconds']} s: RSS start -> end | 64 | {soak['rss_start_mb']:.1f} -> {soak['rss_end_mb']:.1f} MB | no growth |")


if __name__ == "__main__":
    sys.exit(main())
