#!/usr/bin/env bash
# One command: installs nginx and wrk if missing, builds promo-shim in release mode, runs the harness.
#   Benchmarks/run.sh                  # full run: 10 s per point, 2-minute soak (about 8 minutes)
#   Benchmarks/run.sh --duration 3 --soak 20
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ] || ! command -v wrk >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq nginx-light wrk >/dev/null
fi
swift build -c release --product promo-shim >/dev/null
mkdir -p Benchmarks/out
python3 Benchmarks/run.py --shim "$(swift build -c release --show-bin-path)/promo-shim" \
    --json Benchmarks/out/results.json "$@" | tee Benchmarks/out/last-run.txt
