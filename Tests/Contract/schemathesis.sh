#!/usr/bin/env bash
# Contract test: schemathesis generates calls from the published OpenAPI document of the legacy
# endpoint and checks every answer of promo-shim (over its sandbox) against it: no 5xx, documented
# statuses, content types, headers and bodies.
# Usage: Tests/Contract/schemathesis.sh [path/to/promo-shim]
set -euo pipefail
cd "$(dirname "$0")/../.."
. Tests/lib/wait-for-health.sh

bin="${1:-$(swift build --show-bin-path)/promo-shim}"
if ! command -v schemathesis >/dev/null 2>&1; then
    python3 -m pip install -q "schemathesis==4.32.5"
fi

proxy=18282
admin=19292
"$bin" serve --sandbox --port "$proxy" --admin-port "$admin" 2>/tmp/promo-shim-schemathesis.err &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
wait_for_health "$admin"

schemathesis run openapi/legacy-promotion-issue.yaml \
    --url "http://127.0.0.1:$proxy" \
    --header "Authorization: Basic $(printf 'till:secret' | base64)" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
    --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-1000}" \
    --seed "${SCHEMATHESIS_SEED:-20261124}"
