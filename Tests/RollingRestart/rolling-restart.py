#!/usr/bin/env python3
"""Rolling restart without a failed call: two shims behind an nginx load balancer, one stopped
with SIGTERM in the middle of steady traffic.

    Tests/RollingRestart/rolling-restart.py PATH/TO/promo-shim [--balancer http|l4] [--seconds 20] [--rate 50]

On loopback only: two `promo-shim serve --sandbox` replicas, each with its own usage log, and
Debian's nginx as the load balancer in front of them, in one of two shapes:
  - `http` (the default): an HTTP reverse proxy, an `upstream` block with both replicas, retrying
    on the next one as a real deployment sets it (`proxy_next_upstream error timeout`, which nginx
    applies to idempotent requests, and to others only when nothing was sent);
  - `l4`: what kube-proxy is to a Service, a TCP balancer that never retries (nginx `stream`,
    `proxy_next_upstream off`), with an endpoints controller that polls each replica's `/ready` and
    takes one that answers 503 out of the upstream block (`nginx -s reload`), as Kubernetes takes a
    pod that is not ready out of its Service's endpoints. This is the shape in which a replica that
    stops accepting at once fails calls: the balancer still sends it connections until it notices.
A load generator sends legacy calls and passthrough GETs at a steady rate, each legacy call with
its own X-Request-Id; halfway through, replica A gets SIGTERM. Passes when:
  - no client request failed (every answer 200, no connection error);
  - replica A exited 0;
  - every legacy call answered has exactly one usage record across the two logs, and no record is
    unaccounted for.
"""
import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HOST = "127.0.0.1"
LEGACY = "/v2/promotion/issue?identifierName=mobile&identifierValue=918888888888&source=INSTORE"
LOOKUP = "/v2/customers/lookup?source=INSTORE&identifierName=mobile&identifierValue=918888888888"
BODY = b'{"programId":469,"promotionId":65777}'
AUTH = "Basic dGlsbDpzZWNyZXQ="  # till:secret, the sandbox's demo till


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def status_of(url, timeout=1.0):
    try:
        return urllib.request.urlopen(url, timeout=timeout).status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise SystemExit(f"FAIL: {what} within {seconds} s")


def nginx_conf(prefix, listen, replicas, balancer):
    if balancer == "l4":
        servers = "\n".join(f"        server {HOST}:{port};" for port in replicas)
        return f"""
load_module /usr/lib/nginx/modules/ngx_stream_module.so;
worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log notice;
events {{ worker_connections 1024; }}
stream {{
    upstream shims {{
{servers}
    }}
    server {{
        listen {HOST}:{listen};
        proxy_pass shims;
        proxy_next_upstream off;
    }}
}}
"""
    servers = "\n".join(f"        server {HOST}:{port} max_fails=1 fail_timeout=2s;" for port in replicas)
    return f"""
worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log notice;
events {{ worker_connections 1024; }}
http {{
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    upstream shims {{
{servers}
        keepalive 16;
    }}
    server {{
        listen {HOST}:{listen};
        location / {{
            proxy_pass http://shims;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            # Retry on the next replica only when that cannot issue twice: nginx passes a
            # non-idempotent request (POST) on only if nothing of it was sent.
            proxy_next_upstream error timeout;
        }}
    }}
}}
"""


class LoadBalancer:
    """nginx, and the endpoints controller that reloads it when a replica stops being ready."""

    def __init__(self, work, replicas, balancer):
        self.balancer = balancer
        self.prefix = os.path.join(work, "nginx")
        os.makedirs(self.prefix)
        self.port = free_port()
        self.replicas = dict(replicas)  # name -> (proxy port, admin port)
        self.ready = set(self.replicas)
        self.write_conf()
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.argv = [nginx, "-p", self.prefix, "-c", os.path.join(self.prefix, "nginx.conf")]
        self.process = subprocess.Popen(self.argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: status_of(f"http://{HOST}:{self.port}/v2/customers/lookup") is not None, 10, "nginx answers")
        self.stopped = threading.Event()
        self.removed = {}
        if balancer == "l4":
            self.controller = threading.Thread(target=self.watch, daemon=True)
            self.controller.start()

    def write_conf(self):
        ports = [self.replicas[name][0] for name in sorted(self.ready)]
        with open(os.path.join(self.prefix, "nginx.conf"), "w") as conf:
            conf.write(nginx_conf(self.prefix, self.port, ports, self.balancer))

    def watch(self):
        while not self.stopped.is_set():
            for name in sorted(self.ready):
                if len(self.ready) > 1 and status_of(f"http://{HOST}:{self.replicas[name][1]}/ready", 0.5) != 200:
                    self.ready.discard(name)
                    self.write_conf()
                    subprocess.run(self.argv + ["-s", "reload"], check=True, capture_output=True)
                    self.removed[name] = time.monotonic()
            time.sleep(0.2)

    def stop(self):
        self.stopped.set()
        self.process.terminate()
        self.process.wait(timeout=10)


class Load:
    """Steady traffic through the load balancer: legacy calls and passthrough GETs, each kind on
    its own keep-alive connection per thread, each legacy call with its own request id."""

    def __init__(self, port, rate, threads=4):
        self.port, self.interval = port, threads / rate
        self.lock = threading.Lock()
        self.answered = {}  # request id -> status of legacy calls
        self.gets, self.failures = 0, []
        self.stopped = threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(index,), daemon=True) for index in range(threads)]
        for thread in self.threads:
            thread.start()

    def run(self, index):
        connection = None
        sequence = 0
        next_at = time.monotonic()
        while not self.stopped.is_set():
            sequence += 1
            legacy = sequence % 2 == 0
            request_id = f"rr-{index}-{sequence}"
            try:
                if connection is None:
                    connection = http.client.HTTPConnection(HOST, self.port, timeout=10)
                if legacy:
                    connection.request("POST", LEGACY, body=BODY, headers={
                        "Authorization": AUTH, "Content-Type": "application/json", "X-Request-Id": request_id})
                else:
                    connection.request("GET", LOOKUP, headers={"Authorization": AUTH})
                response = connection.getresponse()
                body = response.read()
                with self.lock:
                    if legacy:
                        self.answered[request_id] = response.status
                    else:
                        self.gets += 1
                    if response.status != 200:
                        self.failures.append(f"{'POST' if legacy else 'GET'} {request_id}: {response.status} {body[:200]!r}")
                if response.getheader("connection", "").lower() == "close":
                    connection.close()
                    connection = None
            except (OSError, http.client.HTTPException) as error:
                with self.lock:
                    self.failures.append(f"{'POST' if legacy else 'GET'} {request_id}: {type(error).__name__}: {error}")
                if connection is not None:
                    connection.close()
                connection = None
            next_at += self.interval
            time.sleep(max(0.0, next_at - time.monotonic()))

    def stop(self):
        self.stopped.set()
        for thread in self.threads:
            thread.join(timeout=15)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("shim", help="path to the promo-shim binary")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--rate", type=float, default=50, help="requests per second, legacy and GET together")
    parser.add_argument("--drain-delay-seconds", type=int, default=5,
                        help="the replicas' drain delay; -1 leaves the option out (for a build without it)")
    parser.add_argument("--balancer", choices=["http", "l4"], default="http")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="promo-shim-rolling-")
    replicas, processes, logs = {}, {}, {}
    balancer = load = None
    try:
        for name in ("a", "b"):
            proxy, admin = free_port(), free_port()
            logs[name] = os.path.join(work, f"usage-{name}.log")
            processes[name] = subprocess.Popen(
                [args.shim, "serve", "--sandbox", "--host", HOST, "--port", str(proxy), "--admin-port", str(admin),
                 "--usage-log", logs[name], "--customer-hash-key", "rolling",
                 "--log-level", "notice"]
                + (["--drain-delay-seconds", str(args.drain_delay_seconds)] if args.drain_delay_seconds >= 0 else []),
                stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, f"shim-{name}.err"), "w"))
            replicas[name] = (proxy, admin)
        for name, (_, admin) in replicas.items():
            wait_for(lambda admin=admin: status_of(f"http://{HOST}:{admin}/ready") == 200, 60, f"replica {name} ready")
        balancer = LoadBalancer(work, replicas, args.balancer)
        load = Load(balancer.port, args.rate)
        time.sleep(args.seconds / 2)
        stopped_at = time.monotonic()
        processes["a"].send_signal(signal.SIGTERM)
        exit_a = processes["a"].wait(timeout=120)
        stopped_after = time.monotonic() - stopped_at
        time.sleep(max(0.0, args.seconds / 2 - stopped_after))
        load.stop()
        processes["b"].send_signal(signal.SIGTERM)
        exit_b = processes["b"].wait(timeout=120)

        records = {}
        for name, path in logs.items():
            with open(path) as log:
                for line in log:
                    record = json.loads(line)
                    records.setdefault(record.get("requestId"), []).append(name)
        answered = load.answered
        missing = [rid for rid in answered if len(records.get(rid, [])) == 0]
        duplicated = [rid for rid in answered if len(records.get(rid, [])) > 1]
        stray = [rid for rid in records if rid not in answered]
        removed_after = balancer.removed.get("a")
        print(f"balancer: {args.balancer}; requests: {len(answered)} legacy calls, {load.gets} passthrough GETs; "
              f"failed: {len(load.failures)}")
        print(f"replica a: SIGTERM -> exit {exit_a} after {stopped_after:.1f} s; taken out of the load balancer "
              f"{'%.2f s after SIGTERM' % (removed_after - stopped_at) if removed_after else 'never'}; replica b exit {exit_b}")
        served_by_a = sum(1 for names in records.values() if "a" in names)
        print(f"usage records: {sum(len(n) for n in records.values())} ({served_by_a} by a, the rest by b); "
              f"legacy calls without a record: {len(missing)}, with more than one: {len(duplicated)}, "
              f"records of calls never answered: {len(stray)}")
        problems = []
        if load.failures:
            problems.append("failed client requests:\n  " + "\n  ".join(load.failures[:20]))
        if exit_a != 0 or exit_b != 0:
            problems.append(f"exit statuses a={exit_a} b={exit_b}, expected 0")
        if missing or duplicated or stray:
            problems.append(f"usage records: missing {missing[:5]}, duplicated {duplicated[:5]}, stray {stray[:5]}")
        if len(answered) < args.seconds * args.rate / 4:
            problems.append(f"too little traffic: {len(answered)} legacy calls")
        if served_by_a == 0:
            problems.append("replica a served nothing: the test proved nothing")
        if problems:
            print("FAIL: " + "\n".join(problems))
            for name in ("a", "b"):
                print(f"--- shim {name} log tail:\n" + open(os.path.join(work, f"shim-{name}.err")).read()[-1500:])
            sys.exit(1)
        print("rolling restart: ok (no failed request, one usage record per answered legacy call)")
    finally:
        if load:
            load.stop()
        if balancer:
            balancer.stop()
        for process in processes.values():
            if process.poll() is None:
                process.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
