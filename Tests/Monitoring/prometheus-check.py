#!/usr/bin/env python3
"""The shipped monitoring against a real Prometheus.

    Tests/Monitoring/prometheus-check.py PATH/TO/promo-shim

On loopback only: starts `promo-shim serve --sandbox` (coalescing on, a sunset date set), sends it
legacy calls (concurrent, so batches form; a few refused and too large) and passthrough GETs, then
  1. passes its /metrics exposition through `promtool check metrics`;
  2. checks and unit-tests the alert rules (`promtool check rules`, `promtool test rules`);
  3. starts Debian's Prometheus scraping the shim every second with the alert rules loaded, and
     evaluates every alert expression (each must parse) and every dashboard expression (each must
     parse and return data) through Prometheus's HTTP API.
"""
import datetime
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import yaml

HOST = "127.0.0.1"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MONITORING = os.path.join(ROOT, "deploy", "monitoring")
AUTH = "Basic dGlsbDpzZWNyZXQ="
LEGACY = "/v2/promotion/issue?identifierName=mobile&identifierValue=918888888888&source=INSTORE"
failures = []


def check(condition, message):
    print(("ok: " if condition else "FAIL: ") + message, flush=True)
    if not condition:
        failures.append(message)


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def request(url, method="GET", body=None, headers=None, timeout=5):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body, method=method, headers=headers or {}),
                                    timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError:
        return None, b""


def wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    check(False, what)
    return False


def traffic(proxy, seconds):
    def legacy(body=b'{"programId":469,"promotionId":65777}', query=LEGACY):
        request(f"http://{HOST}:{proxy}{query}", "POST", body,
                {"Authorization": AUTH, "Content-Type": "application/json"})

    def worker():
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            legacy()
            request(f"http://{HOST}:{proxy}/v2/customers/lookup?source=INSTORE&identifierName=mobile&identifierValue=918888888888",
                    headers={"Authorization": AUTH})
    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    legacy(query="/v2/promotion/issue?identifierName=mobile")  # refused locally (11013)
    legacy(body=b"x" * 40000)  # too large (9905)
    for thread in threads:
        thread.join()


def main():
    binary = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="promo-shim-monitoring-")
    processes = []
    try:
        proxy, admin, prometheus_port = free_port(), free_port(), free_port()
        sunset = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=60)).strftime("%Y-%m-%dT00:00:00Z")
        shim = subprocess.Popen([binary, "serve", "--sandbox", "--port", str(proxy), "--admin-port", str(admin),
                                 "--mappings", os.path.join(ROOT, "mappings"), "--coalesce-window-ms", "2",
                                 "--sunset-date", sunset, "--drain-delay-seconds", "0"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        processes.append(shim)
        wait_for(lambda: request(f"http://{HOST}:{admin}/ready")[0] == 200, 60, "the shim becomes ready")
        traffic(proxy, 3)

        status, exposition = request(f"http://{HOST}:{admin}/metrics")
        lint = subprocess.run(["promtool", "check", "metrics"], input=exposition, capture_output=True)
        check(status == 200 and lint.returncode == 0,
              "promtool check metrics accepts the exposition" + ("" if lint.returncode == 0 else ": " + lint.stdout.decode() + lint.stderr.decode()))

        rules = os.path.join(MONITORING, "alerts.yaml")
        checked = subprocess.run(["promtool", "check", "rules", rules], capture_output=True, text=True)
        check(checked.returncode == 0, "promtool check rules alerts.yaml" + ("" if checked.returncode == 0 else ": " + checked.stdout + checked.stderr))
        tested = subprocess.run(["promtool", "test", "rules", "alerts_test.yaml"], cwd=MONITORING, capture_output=True, text=True)
        check(tested.returncode == 0, "promtool test rules alerts_test.yaml" + ("" if tested.returncode == 0 else ": " + tested.stdout + tested.stderr))
        alerts = [rule for group in yaml.safe_load(open(rules))["groups"] for rule in group["rules"]]
        tested_names = open(os.path.join(MONITORING, "alerts_test.yaml")).read()
        for rule in alerts:
            check(f"alertname: {rule['alert']}\n" in tested_names and tested_names.count(f"alertname: {rule['alert']}\n") >= 2,
                  f"{rule['alert']} is unit-tested firing and not firing")

        config = os.path.join(work, "prometheus.yml")
        with open(config, "w") as out:
            yaml.safe_dump({
                "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
                "rule_files": [rules],
                "scrape_configs": [{"job_name": "promo-shim", "static_configs": [{"targets": [f"{HOST}:{admin}"]}]}],
            }, out)
        prometheus = subprocess.Popen(["prometheus", f"--config.file={config}", f"--storage.tsdb.path={work}/data",
                                       f"--web.listen-address={HOST}:{prometheus_port}"],
                                      stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "prometheus.log"), "w"))
        processes.append(prometheus)
        base = f"http://{HOST}:{prometheus_port}"

        def query(expr):
            status, body = request(f"{base}/api/v1/query?" + urllib.parse.urlencode({"query": expr}))
            return status, (json.loads(body) if body else {})

        wait_for(lambda: request(f"{base}/-/ready")[0] == 200, 60, "Prometheus becomes ready")
        # Traffic while Prometheus scrapes, so rates have samples to work on.
        wait_for(lambda: (query("promo_shim_build_info")[1].get("data", {}).get("result") or []) != [], 30,
                 "Prometheus scrapes the shim")
        traffic(proxy, 8)
        time.sleep(3)

        for rule in alerts:
            status, answer = query(rule["expr"])
            check(status == 200 and answer.get("status") == "success", f"alert {rule['alert']}: its expression evaluates")
        dashboard = json.load(open(os.path.join(MONITORING, "grafana-dashboard.json")))
        for panel in dashboard["panels"]:
            for target in panel["targets"]:
                status, answer = query(target["expr"])
                results = answer.get("data", {}).get("result", []) if status == 200 else []
                has_data = any(value == value and value not in ("NaN",)  # NaN when a histogram saw nothing
                               for result in results for value in [result.get("value", [0, "NaN"])[1]])
                check(status == 200 and answer.get("status") == "success" and has_data,
                      f"dashboard '{panel['title']}' ({target['legendFormat']}): returns data")
    finally:
        for process in reversed(processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        print(f"{len(failures)} check(s) failed")
        sys.exit(1)
    print("monitoring: ok")


if __name__ == "__main__":
    main()
