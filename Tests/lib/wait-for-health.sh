# Sourced by the test scripts: wait_for_health ADMIN_PORT waits until the shim's admin listener
# answers /health (10 s at most), and fails otherwise.
wait_for_health() {
    for _ in $(seq 1 50); do
        curl -fsS "http://127.0.0.1:$1/health" >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    echo "the shim did not come up on admin port $1" >&2
    return 1
}
