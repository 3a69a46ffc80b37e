#!/usr/bin/env python3
"""Writes a synthetic usage log for timing `promo-shim report`: N lines (default 1,000,000) over 60
days from 20 clients with falling traffic, retries, timeouts and dry-run marks, in the shim's own
field order. Deterministic (fixed seed).

Usage: Benchmarks/usage-log.py [LINES] > usage.jsonl
"""
import random
import sys

lines = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
rng = random.Random(15)
start_ms = 1_790_812_800_000  # 2026-10-01T00:00:00Z
span_ms = 60 * 86_400_000
clients = [f"client-{i}" for i in range(18)] + ["till", "oauth:7c43ef5ae21d"]
outcomes = ["issued"] * 80 + ["warning"] * 6 + ["rejected"] * 5 + ["error"] * 5 + ["upstream_failure"] * 3 + ["abandoned"]
out = sys.stdout
ts = start_ms
def fmt(ms):
    import datetime
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"
last_customer = {}
for n in range(lines):
    ts = start_ms + int(span_ms * (n / lines) ** 1.5)  # gaps grow: traffic falls over the span
    client = clients[min(int(rng.paretovariate(1.2)) - 1, len(clients) - 1)]
    outcome = rng.choice(outcomes)
    customer = f"{rng.getrandbits(64):016x}" if outcome != "rejected" else None
    if customer and client in last_customer and rng.random() < 0.03:
        customer = last_customer[client]  # a retry of the client's previous call
    if customer:
        last_customer[client] = customer
    codes = []
    extra = ""
    status = 200
    if outcome == "upstream_failure":
        codes = [rng.choice([9911, 9912, 9913, 9914, 9915, 9920])]
        status = None
        if codes[0] != 9920:
            extra = ',"mayHaveBeenIssued":true'
    elif outcome == "error":
        codes = [8015]
    elif outcome == "warning":
        codes = [8890]
    elif outcome == "rejected":
        codes = [11013]
        status = None
    if outcome == "issued" and rng.random() < 0.01:
        extra = ',"wouldReject":"brownout"'
    request_id = f"{rng.getrandbits(128):032x}"
    c = f'"{customer}"' if customer else "null"
    s = str(status) if status else "null"
    out.write(
        f'{{"ts":"{fmt(ts)}","requestId":"{request_id}","client":"{client}","userAgent":"okhttp/4.12.0",'
        f'"remoteAddr":"10.1.{rng.randrange(256)}.{rng.randrange(256)}","programId":{rng.choice([469, 2750])},'
        f'"promotionId":{rng.choice([65777, 65778, 65779])},"source":"{rng.choice(["INSTORE", "WEBSITE"])}",'
        f'"identifierName":"mobile","customer":{c},"outcome":"{outcome}","codes":{codes},'
        f'"upstreamStatus":{s},"latencyMs":{rng.uniform(1, 40):.3f},"upstreamLatencyMs":{rng.uniform(1, 30):.3f},'
        f'"route":"translate"{extra}}}\n'.replace(", ", ",")
    )
