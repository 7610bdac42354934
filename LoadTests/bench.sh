#!/usr/bin/env bash
# ThreadMeter benchmarks: prints the figures docs/benchmarks.md records. Not part of `swift test`.
#
#   LoadTests/bench.sh [section…]        sections: health streams hold hold-proxy registry (default: all)
#
# Environment:
#   BENCH_OUT=/tmp/threadmeter-bench   raw outputs (wrk text, harness JSON, server logs)
#   BENCH_BUILD=1                      build release first (set 0 to reuse .build/release)
#   HEALTH_SECONDS=10 HEALTH_ROUNDS=3  wrk run length and alternating rounds
#   HOLD_STREAMS=10000 HOLD_SECONDS=60 open streams held, and for how long
#   HOLD_PROXY_STREAMS=5000            open streams held through the mock upstream
#   HB_HELLO=/tmp/hb-hello/.build/release/hb-hello   a Hummingbird 2 hello-world (built outside the repo)
#
# Needs wrk and nginx (apt-get install -y wrk nginx) for the health section. Only loopback traffic;
# every process it starts is stopped by pid at exit.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

out="${BENCH_OUT:-/tmp/threadmeter-bench}"
mkdir -p "$out"
health_seconds="${HEALTH_SECONDS:-10}"
health_rounds="${HEALTH_ROUNDS:-3}"
hold_streams="${HOLD_STREAMS:-10000}"
hold_seconds="${HOLD_SECONDS:-60}"
hb_hello="${HB_HELLO:-/tmp/hb-hello/.build/release/hb-hello}"
sections=("$@")
[ ${#sections[@]} -eq 0 ] && sections=(health streams hold hold-proxy registry)

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
release="$root/.build/release"
load="$release/threadmeter-load"

started_pids=()
cleanup() {
    for pid in "${started_pids[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${started_pids[@]}"; do wait "$pid" 2>/dev/null; done
}
trap cleanup EXIT

say() { printf '%s\n' "$*"; }
figure() { printf '%s\n' "$*" | tee -a "$out/figures.txt"; }

# Starts a server in the background, records its pid in $last_pid, waits for its port.
start_server() {
    local name=$1 port=$2
    shift 2
    "$@" > "$out/$name.log" 2>&1 &
    last_pid=$!
    started_pids+=("$last_pid")
    for _ in $(seq 1 100); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    say "!! $name did not start listening on $port; see $out/$name.log"
    return 1
}

stop_server() {
    kill "$1" 2>/dev/null
    wait "$1" 2>/dev/null
}

machine() {
    say "date: $(date -u +%Y-%m-%dT%H:%MZ)"
    say "machine: $(nproc) cores, kernel $(uname -r), $(swift --version 2>&1 | head -1)"
    say "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
}

build() {
    if [ "${BENCH_BUILD:-1}" = 1 ]; then
        say "== building release (once)"
        swift build -c release --product threadmeter >/dev/null && swift build -c release --product threadmeter-load >/dev/null \
            && swift build -c release --product mock-upstream >/dev/null && swift build -c release --product registry-bench >/dev/null \
            && swift build -c release --product http-bench-server >/dev/null || { say "!! release build failed"; exit 1; }
    fi
}

# ---------------------------------------------------------------------------------------------
# GET /health keep-alive: ThreadMeter vs nginx (fixed 200) vs Hummingbird 2 hello-world, alternating.

wrk_run() {  # url connections tag → "rps p50ms p99ms"
    local url=$1 c=$2 tag=$3 threads=2
    [ "$c" -lt 2 ] && threads=1
    wrk -t"$threads" -c"$c" -d"${health_seconds}s" --latency "$url" > "$out/wrk-$tag.txt" 2>&1
    awk '
        /Requests\/sec:/ { rps = $2 }
        /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
        function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
        END { printf "%d %.3f %.3f\n", rps, ms(p50), ms(p99) }' "$out/wrk-$tag.txt"
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else print v[int((NR + 1) / 2)] }'; }

bench_health() {
    command -v wrk >/dev/null || { say "!! wrk missing (apt-get install -y wrk nginx)"; return 1; }
    say "== health: keep-alive GET /health, wrk ${health_seconds}s × ${health_rounds} rounds, servers alternating"
    local tm_port=18301 ng_port=18302 hb_port=18303 wire_port=18304
    start_server threadmeter-health $tm_port "$release/threadmeter" --port $tm_port --database-path "$out/health.sqlite" --log-level warning || return 1
    local tm_pid=$last_pid
    start_server http-bench-server $wire_port "$release/http-bench-server" $wire_port || return 1
    local servers=("threadmeter http://127.0.0.1:$tm_port/health" "http-server-alone http://127.0.0.1:$wire_port/health")
    if command -v nginx >/dev/null; then
        mkdir -p /tmp/tm-nginx
        cat > /tmp/tm-nginx/nginx.conf <<EOF
worker_processes auto;
daemon off;
pid /tmp/tm-nginx/nginx.pid;
error_log /tmp/tm-nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 10000000;
    server {
        listen 127.0.0.1:$ng_port;
        location / { default_type application/json; return 200 '{"status":"healthy"}'; }
    }
}
EOF
        start_server nginx $ng_port nginx -c /tmp/tm-nginx/nginx.conf -p /tmp/tm-nginx && servers+=("nginx http://127.0.0.1:$ng_port/health")
    fi
    if [ -x "$hb_hello" ]; then
        start_server hb-hello $hb_port "$hb_hello" $hb_port && servers+=("hummingbird2 http://127.0.0.1:$hb_port/health")
    else
        say "!! no Hummingbird hello-world at $hb_hello (see docs/benchmarks.md for how to build it)"
    fi
    for c in 1 64 256; do
        for round in $(seq 1 "$health_rounds"); do
            for entry in "${servers[@]}"; do
                set -- $entry
                wrk_run "$2" "$c" "$1-c$c-r$round" | sed "s/^/$1 $c /" >> "$out/health-raw.txt"
            done
        done
    done
    for c in 1 64 256; do
        for entry in "${servers[@]}"; do
            set -- $entry
            local rps p50 p99
            rps=$(awk -v s="$1" -v c="$c" '$1 == s && $2 == c { print $3 }' "$out/health-raw.txt" | median)
            p50=$(awk -v s="$1" -v c="$c" '$1 == s && $2 == c { print $4 }' "$out/health-raw.txt" | median)
            p99=$(awk -v s="$1" -v c="$c" '$1 == s && $2 == c { print $5 }' "$out/health-raw.txt" | median)
            figure "health c=$c $1: $rps req/s (median of $health_rounds), p50 $p50 ms, p99 $p99 ms"
            eval "rps_${1//-/_}_$c=$rps"
        done
        local tm="rps_threadmeter_$c" ng="rps_nginx_$c" hb="rps_hummingbird2_$c"
        [ -n "${!ng:-}" ] && figure "health c=$c ratio threadmeter/nginx: $(awk -v a="${!tm}" -v b="${!ng}" 'BEGIN { printf "%.2f", a / b }')"
        [ -n "${!hb:-}" ] && figure "health c=$c ratio threadmeter/hummingbird2: $(awk -v a="${!tm}" -v b="${!hb}" 'BEGIN { printf "%.2f", a / b }')"
    done
    figure "threadmeter RSS after health runs: $(awk '/VmRSS/ { print $2 / 1024 " MB" }' /proc/$tm_pid/status), threads $(ls /proc/$tm_pid/task | wc -l)"
    cleanup; started_pids=()
}

# ---------------------------------------------------------------------------------------------
# Streams at 200 and 1,000 concurrent clients: simulated assistant; through ThreadMeter to the mock
# upstream; directly to the mock (proxy overhead = through − direct).

harness_json() {  # tag args… → writes $out/$tag.json, prints a one-line summary
    local tag=$1
    shift
    "$load" --json --quiet "$@" > "$out/$tag.json" 2> "$out/$tag.err"
    local status=$?
    python3 - "$out/$tag.json" "$tag" "$status" <<'EOF'
import json, sys
path, tag, status = sys.argv[1], sys.argv[2], sys.argv[3]
try:
    r = json.load(open(path))
except Exception as e:
    print(f"{tag}: no JSON ({e}); exit {status}"); sys.exit(0)
l = r["latency_ms"]
acc = r.get("accounting") or {}
server = r.get("server")
extra = f", server RSS peak {server['rss_mb']['peak']:.1f} MB, threads peak {server['threads']['peak']}" if server else ""
verified = "verified" if acc.get("verified") else ("not checked" if not acc else "NOT VERIFIED")
print(f"{tag}: {r['queries']['succeeded']}/{r['queries']['started']} ok, {r['queries_per_second']:.0f} q/s, "
      f"first content p50 {l['first_content']['p50']:.2f} p99 {l['first_content']['p99']:.2f} ms, "
      f"complete p50 {l['stream_complete']['p50']:.1f} p99 {l['stream_complete']['p99']:.1f} ms, errors {sum(r['errors'].values())}, "
      f"accounting {verified}{extra}; exit {status}")
EOF
}

ttfc() {  # json-file percentile → first-content latency in ms
    python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['latency_ms']['first_content'][sys.argv[2]])" "$1" "$2"
}

bench_streams() {
    say "== streams: 200 and 1,000 concurrent clients"
    local mock_port=18311 sim_port=18312 prox_port=18313
    # 12 deltas 100 ms apart: a 1.2 s answer, so 200 open streams need ~170 queries/s.
    start_server mock-upstream $mock_port "$release/mock-upstream" --port $mock_port --deltas 12 --delta-delay-ms 100 --log-level warning || return 1
    start_server threadmeter-simulated $sim_port "$release/threadmeter" --port $sim_port --database-path "$out/sim.sqlite" --log-level warning || return 1
    local sim_pid=$last_pid
    start_server threadmeter-proxy $prox_port env OPENAI_API_KEY=sk-bench OPENAI_BASE_URL=http://127.0.0.1:$mock_port/v1 ASSISTANT_ID=asst_bench \
        "$release/threadmeter" --port $prox_port --database-path "$out/proxy.sqlite" --log-level warning || return 1
    local prox_pid=$last_pid
    for clients in 200 1000; do
        local queries=6
        [ "$clients" -ge 1000 ] && queries=3
        local common=(--clients "$clients" --queries "$queries" --ramp-up 1 --new-thread-share 0.1 --timeout 60)
        figure "$(harness_json "streams-$clients-simulated" --url http://127.0.0.1:$sim_port "${common[@]}" --pid $sim_pid --expect-exclusive)"
        figure "$(harness_json "streams-$clients-direct-mock" --url http://127.0.0.1:$mock_port/v1 --target assistants "${common[@]}")"
        figure "$(harness_json "streams-$clients-through-threadmeter" --url http://127.0.0.1:$prox_port "${common[@]}" --pid $prox_pid --expect-exclusive)"
        for p in p50 p99; do
            local through direct
            through=$(ttfc "$out/streams-$clients-through-threadmeter.json" $p)
            direct=$(ttfc "$out/streams-$clients-direct-mock.json" $p)
            figure "streams c=$clients proxy overhead on time to first content $p: $(awk -v a="$through" -v b="$direct" 'BEGIN { printf "%.2f", a - b }') ms (through $through − direct $direct)"
        done
    done
    cleanup; started_pids=()
}

# ---------------------------------------------------------------------------------------------
# Capacity: N open SSE streams held (simulated assistant answering slowly), /health probed meanwhile.

bench_hold() {
    say "== hold: $hold_streams open streams for ${hold_seconds}s (fd limit $(ulimit -n))"
    local port=18321
    start_server threadmeter-hold $port "$release/threadmeter" --port $port --database-path "$out/hold.sqlite" --log-level warning \
        --simulated-delay-ms 2000 --sse-keepalive-seconds 15 || return 1
    local pid=$last_pid
    figure "$(harness_json "hold-$hold_streams" --url http://127.0.0.1:$port --profile hold --clients "$hold_streams" --ramp-up 20 \
        --duration "$hold_seconds" --drain-timeout 180 --timeout 240 --pid $pid --expect-exclusive)"
    python3 - "$out/hold-$hold_streams.json" <<'EOF' | tee -a "$out/figures.txt"
import json, sys
r = json.load(open(sys.argv[1]))
s, h = r.get("server", {}), r.get("health_probe", {})
print(f"hold: peak {r['peak_open_streams']} streams open; server RSS peak {s.get('rss_mb', {}).get('peak', 0):.1f} MB, "
      f"OS threads peak {s.get('threads', {}).get('peak', 0)}; /health during hold p50 {h.get('latency_ms', {}).get('p50', 0):.2f} ms "
      f"p99 {h.get('latency_ms', {}).get('p99', 0):.2f} ms max {h.get('latency_ms', {}).get('max', 0):.2f} ms, {h.get('failures', 0)} failed")
EOF
    cleanup; started_pids=()
}

# Held streams through the mock upstream (each stream also holds an upstream connection, so at most
# about half the descriptor limit).
bench_hold_proxy() {
    local streams="${HOLD_PROXY_STREAMS:-5000}" mock_port=18331 port=18332
    say "== hold-proxy: $streams open streams through the mock upstream for ${hold_seconds}s"
    start_server mock-upstream-hold $mock_port "$release/mock-upstream" --port $mock_port --deltas 30 --delta-delay-ms 1000 --log-level warning || return 1
    start_server threadmeter-hold-proxy $port env OPENAI_API_KEY=sk-bench OPENAI_BASE_URL=http://127.0.0.1:$mock_port/v1 ASSISTANT_ID=asst_bench \
        "$release/threadmeter" --port $port --database-path "$out/hold-proxy.sqlite" --log-level warning || return 1
    local pid=$last_pid
    figure "$(harness_json "hold-proxy-$streams" --url http://127.0.0.1:$port --profile hold --clients "$streams" --ramp-up 20 \
        --duration "$hold_seconds" --drain-timeout 150 --timeout 200 --pid $pid --expect-exclusive)"
    cleanup; started_pids=()
}

# ---------------------------------------------------------------------------------------------
# Registry figures from the metering helper's registry-bench.

bench_registry() {
    say "== registry: registry-bench (LoadTests/RegistryBench)"
    "$release/registry-bench" 2>&1 | tee "$out/registry.txt" | tee -a "$out/figures.txt"
}

machine | tee "$out/figures.txt"
build
for section in "${sections[@]}"; do
    case "$section" in
        health) bench_health ;;
        streams) bench_streams ;;
        hold) bench_hold ;;
        hold-proxy) bench_hold_proxy ;;
        registry) bench_registry ;;
        *) say "unknown section $section (health streams hold hold-proxy registry)"; exit 2 ;;
    esac
done
say "raw outputs in $out; figures in $out/figures.txt"
