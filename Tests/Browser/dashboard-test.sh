#!/usr/bin/env bash
# Browser test of the live /deprecation dashboard and of the html report: a real headless
# Chromium loads the pages while the shim serves traffic, and the test asserts the clients that
# called are on the page. Screenshots for humans land in test-output/.
# Usage: Tests/Browser/dashboard-test.sh [path/to/promo-shim]
set -euo pipefail
cd "$(dirname "$0")/../.."
. Tests/lib/wait-for-health.sh

bin="${1:-$(swift build --show-bin-path)/promo-shim}"
out="test-output"
mkdir -p "$out"

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
    echo "installing chromium (Debian package) for the browser test"
    apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null
    browser=$(command -v chromium)
fi
chrome() { "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars "$@" 2>/dev/null; }

work=$(mktemp -d)
cp -r mappings "$work/mappings"
# Port 0 for both listeners: the shim writes the ports it got to a file (--ports-file).
"$bin" serve --sandbox --port 0 --admin-port 0 --ports-file "$work/ports.json" --usage-log "$work/usage.log" \
    --mappings "$work/mappings" --no-watch-mappings --customer-hash-key browser-test --sunset-date 2099-12-31 \
    2>"$work/shim.err" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do [ -s "$work/ports.json" ] && break; sleep 0.1; done
proxy=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["proxy"])' "$work/ports.json")
admin=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["admin"])' "$work/ports.json")
wait_for_health "$admin"

issue() { # user password promotion
    curl -sS -o /dev/null -u "$1:$2" -X POST -H 'Content-Type: application/json' \
        "http://127.0.0.1:$proxy/v2/promotion/issue?identifierName=mobile&identifierValue=918888888888&source=INSTORE" \
        -d "{\"programId\":469,\"promotionId\":$3}"
}
for _ in 1 2 3; do issue till secret 65777; done
issue pos secret 65779
issue pos secret 65778
curl -sS -o /dev/null -H 'X-CAP-API-OAUTH-TOKEN: demo-token' -X POST \
    "http://127.0.0.1:$proxy/v2/promotion/issue?identifierName=externalId&identifierValue=EXT-1002&source=WEBSITE" \
    -d '{"programId":469,"promotionId":65777}'

passed=0
failed=0
check() { # description, command...
    local description=$1
    shift
    if "$@"; then passed=$((passed + 1)); echo "ok: $description"; else failed=$((failed + 1)); echo "FAILED: $description"; fi
}

dom=$(chrome --dump-dom "http://127.0.0.1:$admin/deprecation")
check "dashboard lists client till" grep -q '<td class="client">till</td>' <<<"$dom"
check "dashboard lists client pos" grep -q '<td class="client">pos</td>' <<<"$dom"
check "dashboard lists the OAuth client by digest" grep -q '<td class="client">oauth:' <<<"$dom"
check "dashboard counts 6 calls" grep -q 'id="total-calls">6<' <<<"$dom"
check "dashboard draws its charts" grep -q '<polyline\|<circle' <<<"$dom"
check "dashboard counts the days to the sunset date" grep -q 'id="days-to-sunset">[0-9][0-9]*<' <<<"$dom"
check "dashboard shows the contact list" grep -q '<table id="contacts">' <<<"$dom"
check "the contact list names till" test "$(grep -o '<td class="client">till</td>' <<<"$dom" | wc -l)" -eq 2
chrome --window-size=1280,1400 --screenshot="$out/dashboard.png" "http://127.0.0.1:$admin/deprecation" >/dev/null
check "dashboard screenshot taken" test -s "$out/dashboard.png"

# SIGHUP reloads the mappings (the directory watch is off here, so only the signal reloads): an
# invalid set is refused and the old one keeps serving.
echo "default: nowhere" > "$work/mappings/routing.yaml"
kill -HUP "$pid"
sleep 0.5
metrics=$(curl -fsS "http://127.0.0.1:$admin/metrics")
check "SIGHUP reload of an invalid set is refused" grep -q 'promo_shim_mappings_reloads_total{result="refused"} 1' <<<"$metrics"

# logrotate: move the file away, SIGUSR1, and the next call lands in a new file.
mv "$work/usage.log" "$work/usage.log.1"
kill -USR1 "$pid"
sleep 0.5
issue till secret 65777
kill -TERM "$pid"
wait "$pid"
check "SIGTERM exits 0 after draining" test $? -eq 0
check "the rotated usage log has one record per earlier call" test "$(wc -l <"$work/usage.log.1")" -eq 6
check "after SIGUSR1 the next call is in a new file" test "$(wc -l <"$work/usage.log")" -eq 1
gzip "$work/usage.log.1"
text=$(cat "$work/usage.log" | "$bin" report "$work/usage.log.1.gz" -)
check "report reads a .gz rotation and stdin together" grep -q "7 calls from 3 clients" <<<"$text"
cat "$work/usage.log.1.gz" | gunzip > "$work/usage.log"
"$bin" report "$work/usage.log" --format html --sunset-date 2099-12-31 --output "$out/report.html"
report_dom=$(chrome --dump-dom "file://$PWD/$out/report.html")
check "html report lists client till" grep -q '<td class="client">till</td>' <<<"$report_dom"
check "html report has the contact list" grep -q '<table id="contacts">' <<<"$report_dom"
check "html report has the calls to reconcile (none)" grep -q 'id="ambiguous-calls">0<' <<<"$report_dom"
check "html report counts till's two repeated calls as suspected retries" \
    grep -q '<tr><td>till</td><td class="num">3</td><td class="num">2</td>' <<<"$report_dom"
check "csv contacts section names till" grep -q '^till,' <<<"$("$bin" report "$work/usage.log" --format csv --section contacts)"
chrome --window-size=1280,1400 --screenshot="$out/report.png" "file://$PWD/$out/report.html" >/dev/null
check "report screenshot taken" test -s "$out/report.png"

echo "browser: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
