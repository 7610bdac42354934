#!/usr/bin/env bash
# The engine's figures, side by side in one run (issue 9): the service pinned to one core (taskset -c 1),
# the load client, the mock upstream and the anchors on the other (taskset -c 0). Prints ratios.
#
#   LoadTests/engine-bench.sh [section…]     sections: health queries https latency hold (default: all)
#
# Environment: BENCH_OUT (default /tmp/threadmeter-engine), BENCH_BUILD=0 to reuse .build/release,
# HB_HELLO (a Hummingbird 2 hello-world, see docs/benchmarks.md), HEALTH_SECONDS=8, ROUNDS=3,
# HOLD_STREAMS=9000, HOLD_SECONDS=30. Needs wrk, nginx, openssl (apt-get install -y wrk nginx).
# Loopback only; every process it starts is stopped at exit.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out="${BENCH_OUT:-/tmp/threadmeter-engine}"
rm -rf "$out"; mkdir -p "$out"
secs="${HEALTH_SECONDS:-8}"
rounds="${ROUNDS:-3}"
hb_hello="${HB_HELLO:-/tmp/hb-hello/.build/release/hb-hello}"
release="$root/.build/release"
SVC="taskset -c 1"
AUX="taskset -c 0"
sections=("$@")
[ ${#sections[@]} -eq 0 ] && sections=(health queries https latency hold)
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done; pids=(); }
trap cleanup EXIT
figure() { printf '%s\n' "$*" | tee -a "$out/figures.txt"; }
wait_port() { for _ in $(seq 1 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; echo "!! nothing on port $1" >&2; return 1; }
start() { local name=$1 port=$2; shift 2; "$@" > "$out/$name.log" 2>&1 & last=$!; pids+=("$last"); wait_port "$port"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# cpu N's busy and total jiffies ("busy total"); the load core saturating limits what a ratio can show.
core_jiffies() { awk -v c="cpu$1" '$1 == c { t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t }' /proc/stat; }
busy_pct() { awk -v b0="$1" -v t0="$2" -v b1="$3" -v t1="$4" 'BEGIN { printf "%.0f", (t1 > t0 ? 100 * (b1 - b0) / (t1 - t0) : 0) }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR ? v[int((NR + 1) / 2)] : 0) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

if [ "${BENCH_BUILD:-1}" = 1 ]; then
    for p in threadmeter threadmeter-load mock-upstream; do swift build -c release --product "$p" >/dev/null || exit 1; done
fi
figure "date $(date -u +%Y-%m-%dT%H:%MZ); $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg); service on cpu 1, load + anchors on cpu 0"

# ---------------------------------------------------------------------------------------------
wrk_rps() {  # url connections tag → "rps p99ms"
    $AUX wrk -t1 -c"$2" -d"${secs}s" --latency "$1" > "$out/wrk-$3.txt" 2>&1
    awk '/Requests\/sec:/ { r = $2 } /^ +99%/ { p = $2 }
         function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
         END { printf "%d %.2f\n", r, ms(p) }' "$out/wrk-$3.txt"
}

bench_health() {
    figure "== health: keep-alive GET /health, wrk -t1 -c64 ${secs}s × $rounds rounds, alternating"
    start tm-info 18501 $SVC "$release/threadmeter" --port 18501 --database-path "$out/h.sqlite" --log-level info || return 1
    start tm-warn 18502 $SVC "$release/threadmeter" --port 18502 --database-path "$out/h2.sqlite" --log-level warning || return 1
    local servers=("threadmeter-info http://127.0.0.1:18501/health" "threadmeter-warning http://127.0.0.1:18502/health")
    mkdir -p "$out/nginx"
    cat > "$out/nginx/nginx.conf" <<NGX
worker_processes 1; daemon off; pid $out/nginx/nginx.pid; error_log $out/nginx/error.log warn;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 10000000;
  server { listen 127.0.0.1:18503; location / { default_type application/json; return 200 '{"status":"healthy"}'; } } }
NGX
    start nginx 18503 $SVC nginx -c "$out/nginx/nginx.conf" -p "$out/nginx" && servers+=("nginx http://127.0.0.1:18503/health")
    if [ -x "$hb_hello" ]; then
        start hb 18504 $SVC "$hb_hello" 18504 && servers+=("hummingbird2 http://127.0.0.1:18504/health")
    else
        figure "!! no Hummingbird hello-world at $hb_hello"
    fi
    for r in $(seq 1 "$rounds"); do
        for e in "${servers[@]}"; do set -- $e; echo "$1 $(wrk_rps "$2" 64 "$1-$r")" >> "$out/health.txt"; done
    done
    for e in "${servers[@]}"; do
        set -- $e
        local rps p99
        rps=$(awk -v s="$1" '$1 == s { print $2 }' "$out/health.txt" | median)
        p99=$(awk -v s="$1" '$1 == s { print $3 }' "$out/health.txt" | median)
        figure "health $1: $rps req/s (median), p99 $p99 ms"
        eval "h_${1//-/_}=$rps"
    done
    [ -n "${h_hummingbird2:-}" ] && figure "health ratio threadmeter(info)/hummingbird2: $(ratio "$h_threadmeter_info" "$h_hummingbird2")  (target ≥ 2)"
    figure "health ratio threadmeter(info)/nginx: $(ratio "$h_threadmeter_info" "${h_nginx:-0}")  (target ≥ 0.5)"
    figure "health ratio threadmeter(warning)/nginx: $(ratio "$h_threadmeter_warning" "${h_nginx:-0}")"
    cleanup
}

# ---------------------------------------------------------------------------------------------
load_json() {  # tag args… → "q/s first_p50 first_p99 errors"
    local tag=$1; shift
    $AUX "$release/threadmeter-load" --json --quiet --no-verify "$@" > "$out/$tag.json" 2> "$out/$tag.err"
    python3 - "$out/$tag.json" <<'PY'
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except Exception:
    print("0 0 0 999"); sys.exit()
f = r["latency_ms"]["first_content"]
print(f"{r['queries_per_second']:.0f} {f['p50']:.3f} {f['p99']:.3f} {sum(r['errors'].values()) + r['queries']['started'] - r['queries']['succeeded']}")
PY
}

start_mock() {  # port
    start mock "$1" $AUX "$release/mock-upstream" --port "$1" --deltas 12 --log-level warning
}

start_tm() {  # name port base-url [env…]
    local name=$1 port=$2 base=$3; shift 3
    start "$name" "$port" env OPENAI_API_KEY=sk-bench OPENAI_BASE_URL="$base" ASSISTANT_ID=asst_bench "$@" \
        $SVC "$release/threadmeter" --port "$port" --database-path "$out/$name.sqlite" --log-level warning
}

bench_queries() {
    figure "== queries: 200 clients × 10 queries, new threads, 12 deltas, mock without delays"
    start_mock 18511 || return 1
    start_tm tm-q 18512 http://127.0.0.1:18511/v1 || return 1
    local tm=$last
    for r in $(seq 1 "$rounds"); do
        set -- $(load_json "direct-$r" --url http://127.0.0.1:18511/v1 --target assistants --clients 200 --queries 10)
        echo "direct $1" >> "$out/queries.txt"
        local before; before=$(cpu_ticks "$tm")
        local core0_before; core0_before=$(core_jiffies 0)
        set -- $(load_json "through-$r" --url http://127.0.0.1:18512 --clients 200 --queries 10 --new-thread-share 1)
        local after; after=$(cpu_ticks "$tm")
        local core0_after; core0_after=$(core_jiffies 0)
        echo "through $1 $(( (after - before) * 10000 / 2000 )) $4 $(busy_pct $core0_before $core0_after)" >> "$out/queries.txt"
    done
    local d t cpu
    d=$(awk '$1 == "direct" { print $2 }' "$out/queries.txt" | median)
    t=$(awk '$1 == "through" { print $2 }' "$out/queries.txt" | median)
    cpu=$(awk '$1 == "through" { print $3 }' "$out/queries.txt" | median)
    figure "queries direct to the mock: $d q/s; through ThreadMeter: $t q/s; ratio $(ratio "$t" "$d") (target ≥ 0.8)"
    figure "queries CPU per query in ThreadMeter: $cpu µs (target ≤ 350); errors: $(awk '$1 == "through" { s += $4 } END { print s + 0 }' "$out/queries.txt"); cpu 0 (load client + mock) busy $(awk '$1 == "through" { print $5 }' "$out/queries.txt" | median)% during the through runs"
    cleanup
}

# ---------------------------------------------------------------------------------------------
make_certs() {
    local d=$out/certs; mkdir -p "$d"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/ca.key" -out "$d/ca.pem" -days 2 -subj "/CN=bench CA" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout "$d/leaf.key" -out "$d/leaf.csr" -subj "/CN=localhost" 2>/dev/null
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > "$d/ext"
    openssl x509 -req -in "$d/leaf.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial -out "$d/leaf.pem" -days 2 -extfile "$d/ext" 2>/dev/null
}

bench_https() {
    figure "== https vs http upstream: both through one nginx (TLS on one port, plain on another) in front of the mock; 200 clients × 10 queries"
    make_certs
    start_mock 18521 || return 1
    mkdir -p "$out/tls"
    cat > "$out/tls/nginx.conf" <<NGX
worker_processes 1; daemon off; pid $out/tls/nginx.pid; error_log $out/tls/error.log warn;
events { worker_connections 8192; }
http { access_log off; keepalive_requests 10000000;
  upstream mock { server 127.0.0.1:18521; keepalive 256; }
  server { listen 127.0.0.1:18522; listen 127.0.0.1:18523 ssl;
    ssl_certificate $out/certs/leaf.pem; ssl_certificate_key $out/certs/leaf.key; ssl_session_cache shared:S:10m;
    location / { proxy_pass http://mock; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering off; } } }
NGX
    start tls-nginx 18523 $AUX nginx -c "$out/tls/nginx.conf" -p "$out/tls" || return 1
    local ngx_worker; ngx_worker=$(pgrep -P "$last" | head -1); ngx_worker=${ngx_worker:-$last}
    start_tm tm-http 18524 http://127.0.0.1:18522/v1 || return 1
    local http_pid=$last
    start_tm tm-https 18525 https://localhost:18523/v1 UPSTREAM_CA_FILE="$out/certs/ca.pem" || return 1
    local https_pid=$last
    # One untimed round each first: the pools fill (200 connections; for https 200 handshakes, the
    # first full, later ones resuming the session), as in a service that has been up for a while.
    load_json warm-http --url http://127.0.0.1:18524 --clients 200 --queries 2 --new-thread-share 1 > /dev/null
    load_json warm-https --url http://127.0.0.1:18525 --clients 200 --queries 2 --new-thread-share 1 > /dev/null
    for r in $(seq 1 "$rounds"); do
        for kind in http https; do
            local port=18524 pid=$http_pid
            [ $kind = https ] && { port=18525; pid=$https_pid; }
            local before; before=$(cpu_ticks "$pid")
            local ngx_before; ngx_before=$(cpu_ticks "$ngx_worker")
            local core0_before; core0_before=$(core_jiffies 0)
            set -- $(load_json "$kind-$r" --url "http://127.0.0.1:$port" --clients 200 --queries 10 --new-thread-share 1)
            local after; after=$(cpu_ticks "$pid")
            local ngx_after; ngx_after=$(cpu_ticks "$ngx_worker")
            local core0_after; core0_after=$(core_jiffies 0)
            echo "$kind $1 $3 $4 $(( (after - before) * 10000 / 2000 )) $(( (ngx_after - ngx_before) * 10000 / 2000 )) $(busy_pct $core0_before $core0_after)" >> "$out/https.txt"
        done
    done
    local h s hp sp he se hc sc
    h=$(awk '$1 == "http" { print $2 }' "$out/https.txt" | median); s=$(awk '$1 == "https" { print $2 }' "$out/https.txt" | median)
    hp=$(awk '$1 == "http" { print $3 }' "$out/https.txt" | median); sp=$(awk '$1 == "https" { print $3 }' "$out/https.txt" | median)
    hc=$(awk '$1 == "http" { print $5 }' "$out/https.txt" | median); sc=$(awk '$1 == "https" { print $5 }' "$out/https.txt" | median)
    se=$(awk '$1 == "https" { s += $4 } END { print s + 0 }' "$out/https.txt")
    local hn sn hb sb
    hn=$(awk '$1 == "http" { print $6 }' "$out/https.txt" | median); sn=$(awk '$1 == "https" { print $6 }' "$out/https.txt" | median)
    hb=$(awk '$1 == "http" { print $7 }' "$out/https.txt" | median); sb=$(awk '$1 == "https" { print $7 }' "$out/https.txt" | median)
    figure "https upstream: $s q/s vs http $h q/s: ratio $(ratio "$s" "$h") (target ≥ 0.9); first content p99 $sp vs $hp ms; CPU/query $sc vs $hc µs; https errors $se"
    figure "https load side: nginx CPU/query $sn vs $hn µs; cpu 0 (load client, mock, nginx) busy $sb% vs $hb% — near 100% means the load core, not ThreadMeter, limits the ratio"
    cleanup
}

# ---------------------------------------------------------------------------------------------
bench_latency() {
    figure "== added time to first content vs the mock directly (mock with 12 deltas, 5 ms apart)"
    start mock-l 18531 $AUX "$release/mock-upstream" --port 18531 --deltas 12 --delta-delay-ms 5 --log-level warning || return 1
    start_tm tm-l 18532 http://127.0.0.1:18531/v1 || return 1
    for spec in "1 400" "50 20"; do
        set -- $spec
        local c=$1 q=$2
        for r in $(seq 1 "$rounds"); do
            set -- $(load_json "lat-direct-$c-$r" --url http://127.0.0.1:18531/v1 --target assistants --clients "$c" --queries "$q")
            echo "direct $c $2 $3" >> "$out/latency.txt"
            set -- $(load_json "lat-through-$c-$r" --url http://127.0.0.1:18532 --clients "$c" --queries "$q")
            echo "through $c $2 $3" >> "$out/latency.txt"
        done
        local d50 d99 t50 t99
        d50=$(awk -v c=$c '$1 == "direct" && $2 == c { print $3 }' "$out/latency.txt" | median)
        d99=$(awk -v c=$c '$1 == "direct" && $2 == c { print $4 }' "$out/latency.txt" | median)
        t50=$(awk -v c=$c '$1 == "through" && $2 == c { print $3 }' "$out/latency.txt" | median)
        t99=$(awk -v c=$c '$1 == "through" && $2 == c { print $4 }' "$out/latency.txt" | median)
        figure "latency c=$c: first content direct p50 $d50 / p99 $d99 ms, through p50 $t50 / p99 $t99 ms: added p50 $(awk -v a=$t50 -v b=$d50 'BEGIN{printf "%.3f", a-b}') / p99 $(awk -v a=$t99 -v b=$d99 'BEGIN{printf "%.3f", a-b}') ms (targets p99: ≤ 0.3 at 1, ≤ 2 at 50)"
    done
    cleanup
}

# ---------------------------------------------------------------------------------------------
bench_hold() {
    local n="${HOLD_STREAMS:-9000}" s="${HOLD_SECONDS:-30}"
    figure "== hold: $n streams held open through the mock (30 deltas, 1 s apart) for ${s}s"
    start mock-h 18541 $AUX "$release/mock-upstream" --port 18541 --deltas 30 --delta-delay-ms 1000 --log-level warning || return 1
    start_tm tm-h 18542 http://127.0.0.1:18541/v1 UPSTREAM_MAX_CONNECTIONS=12000 || return 1
    local pid=$last
    $AUX "$release/threadmeter-load" --json --quiet --url http://127.0.0.1:18542 --profile hold --clients "$n" --ramp-up 20 \
        --duration "$s" --drain-timeout 150 --timeout 200 --pid "$pid" --expect-exclusive > "$out/hold.json" 2> "$out/hold.err"
    python3 - "$out/hold.json" <<'PY' | tee -a "$out/figures.txt"
import json, sys
r = json.load(open(sys.argv[1])); s = r.get("server") or {}
acc = r.get("accounting") or {}
print(f"hold: peak {r.get('peak_open_streams')} streams, {r['queries']['succeeded']}/{r['queries']['started']} ok, errors {sum(r['errors'].values())}, "
      f"RSS peak {s.get('rss_mb', {}).get('peak', 0):.0f} MB (target < 512), OS threads peak {s.get('threads', {}).get('peak', 0)} (target < 64), "
      f"accounting {'verified' if acc.get('verified') else 'NOT verified'}")
PY
    cleanup
}

for section in "${sections[@]}"; do
    case "$section" in
        health) bench_health ;; queries) bench_queries ;; https) bench_https ;; latency) bench_latency ;; hold) bench_hold ;;
        *) echo "unknown section $section"; exit 2 ;;
    esac
done
