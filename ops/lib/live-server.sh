# Sourced by the ops/*-check.sh scripts: start a ThreadMeter on a free loopback port for a check.
#
#   live_server_start BINARY WORKDIR [VAR=value ...]
#
# Runs BINARY with a temporary DATABASE_PATH in WORKDIR, the built-in simulated assistant (no
# OPENAI_API_KEY, API_KEYS, ADMIN_TOKEN, USAGE_WEBHOOK_URL, CORS_ORIGINS or OTEL_* from the caller's
# environment) and the extra VAR=value settings; sets `port`, `base` and `server_pid` and waits for
# /health. `live_server_stop` ends it (call it from the caller's EXIT trap).
# live_server_prepare NAME BINARY REPO: checks chromium, curl and python3, builds BINARY if missing.
live_server_prepare() {
    local name="$1" binary="$2" repo="$3" tool
    for tool in chromium curl python3; do
        command -v "$tool" >/dev/null || { echo "$name: $tool is not installed" >&2; exit 2; }
    done
    if [ ! -x "$binary" ]; then
        (cd "$repo" && swift build --product threadmeter)
    fi
}

live_server_start() {
    local binary="$1" work="$2"
    shift 2
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
    base="http://127.0.0.1:$port"
    env -u OPENAI_API_KEY -u API_KEYS -u ADMIN_TOKEN -u USAGE_WEBHOOK_URL -u CORS_ORIGINS \
        -u OTEL_EXPORTER_OTLP_ENDPOINT -u OTEL_EXPORTER_OTLP_TRACES_ENDPOINT \
        HOST=127.0.0.1 PORT="$port" DATABASE_PATH="$work/threadmeter.sqlite" LOG_FORMAT=json "$@" \
        "$binary" >"$work/server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 100); do
        curl -sf -o /dev/null "$base/health" && return 0
        kill -0 "$server_pid" 2>/dev/null || { echo "server exited:" >&2; cat "$work/server.log" >&2; exit 1; }
        sleep 0.1
    done
    echo "server did not answer /health within 10 s" >&2
    exit 1
}

live_server_stop() {
    if [ -n "${server_pid:-}" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
}
