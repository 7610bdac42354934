#!/usr/bin/env bash
# What Dispatch's event delivery costs (issue 9), side by side in one run: the same tiny loopback server
# in three designs (LoadTests/WakeBench), pinned to cpu 1 (taskset -c 1), the client / wrk on cpu 0.
#   dispatch-source  one DispatchSourceRead per socket on one serial queue (the classic Dispatch server)
#   poller           EventLoops' SocketPoller: one epoll set per loop behind one DispatchSourceRead (ours)
#   epoll-thread     one thread blocking in epoll_wait(…, -1), answering inline (SwiftNIO's design)
# Workloads: ping-pong (64 bytes each way, one round trip at a time over one connection: latency, and the
# server's CPU and context switches per round trip from its getrusage), a one-connection keep-alive GET
# probe (the same for nginx), and keep-alive GET with wrk -t1 -c64 against nginx (one worker, also on cpu 1).
#
#   LoadTests/wake-bench.sh          (measure under LoadTests/quiet.sh on the shared machine; keep runs < 90 s)
#
# Environment: BENCH_OUT (default /tmp/threadmeter-wakebench), BENCH_BUILD=0 to reuse .build/release,
# ROUNDS=2 (modes alternate inside each round, order reversed every other round), PINGPONG_COUNT=50000,
# PROBE_COUNT=10000, HTTP_SECONDS=5. Needs wrk and nginx. Loopback only, ports 18700-18703; every
# process it starts is stopped at exit.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out="${BENCH_OUT:-/tmp/threadmeter-wakebench}"
rm -rf "$out"; mkdir -p "$out"
rounds="${ROUNDS:-2}"
count="${PINGPONG_COUNT:-50000}"
probe="${PROBE_COUNT:-10000}"
secs="${HTTP_SECONDS:-5}"
SVC="taskset -c 1"
AUX="taskset -c 0"
modes=(dispatch-source poller epoll-thread)

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done; pids=(); }
trap cleanup EXIT
trap 'exit 130' INT TERM
figure() { printf '%s\n' "$*" | tee -a "$out/figures.txt"; }
wait_port() { for _ in $(seq 1 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; echo "!! nothing on port $1" >&2; return 1; }
start() { local name=$1 port=$2; shift 2; "$@" > "$out/$name.log" 2>&1 & last=$!; pids+=("$last"); wait_port "$port"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
ctx_switches() { cat /proc/"$1"/task/*/status | awk '/^(non)?voluntary_ctxt_switches/ { s += $2 } END { print s + 0 }'; }
kv() { tr ' ' '\n' | awk -F= -v k="$1" '$1 == k { print $2 }'; }

if [ "${BENCH_BUILD:-1}" = 1 ]; then
    swift build -c release --product wake-bench >/dev/null || exit 1
fi
bin="$root/.build/release/wake-bench"
figure "date $(date -u +%Y-%m-%dT%H:%MZ); $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg); servers and nginx on cpu 1, client and wrk on cpu 0; $rounds rounds"

declare -A port
i=0
for m in "${modes[@]}"; do
    port[$m]=$((18700 + i)); i=$((i + 1))
    start "$m" "${port[$m]}" $SVC "$bin" --mode "$m" --port "${port[$m]}" || exit 1
done
mkdir -p "$out/nginx"
cat > "$out/nginx/nginx.conf" <<NGX
worker_processes 1; daemon off; pid $out/nginx/nginx.pid; error_log $out/nginx/error.log warn;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 10000000;
  server { listen 127.0.0.1:18703; location / { default_type application/json; return 200 '{"status":"healthy"}'; } } }
NGX
start nginx 18703 $SVC nginx -c "$out/nginx/nginx.conf" -p "$out/nginx" || exit 1
nginx_worker=$(pgrep -P "$last" | head -1)
port[nginx]=18703

for r in $(seq 1 "$rounds"); do
    order=("${modes[@]}")
    [ $((r % 2)) = 0 ] && order=(epoll-thread poller dispatch-source)
    for m in "${order[@]}"; do
        echo "pingpong $m $r $($AUX "$bin" --client --port "${port[$m]}" --count "$count")" >> "$out/results.txt"
        echo "probe $m $r $($AUX "$bin" --client --workload http --port "${port[$m]}" --count "$probe")" >> "$out/results.txt"
    done
    echo "probe nginx $r $($AUX "$bin" --client --workload http --no-stats --pid "$nginx_worker" --port 18703 --count "$probe")" >> "$out/results.txt"
    for m in "${order[@]}" nginx; do
        if [ "$m" = nginx ]; then before=$(cpu_ticks "$nginx_worker"); csw_before=$(ctx_switches "$nginx_worker"); else before=$("$bin" --stats --port "${port[$m]}"); fi
        $AUX wrk -t1 -c64 -d"${secs}s" --latency "http://127.0.0.1:${port[$m]}/health" > "$out/wrk-$m-$r.txt" 2>&1
        if [ "$m" = nginx ]; then
            after=$(cpu_ticks "$nginx_worker")
            cpu=$(( (after - before) * 1000000 / $(getconf CLK_TCK) )); csw=$(( $(ctx_switches "$nginx_worker") - csw_before ))
        else
            after=$("$bin" --stats --port "${port[$m]}")
            cpu=$(( $(echo "$after" | kv cpu_us) - $(echo "$before" | kv cpu_us) ))
            csw=$(( $(echo "$after" | kv csw) - $(echo "$before" | kv csw) ))
        fi
        rps=$(awk '/Requests\/sec:/ { print $2 }' "$out/wrk-$m-$r.txt")
        reqs=$(awk '/requests in/ { print $1 }' "$out/wrk-$m-$r.txt")
        echo "wrk $m $r rps=${rps:-0} requests=${reqs:-0} cpu_total_us=$cpu csw_total=$csw" >> "$out/results.txt"
    done
done

python3 - "$out/results.txt" <<'PY' | tee -a "$out/figures.txt"
import sys
rows = {}
for line in open(sys.argv[1]):
    kind, mode, rnd, *pairs = line.split()
    values = dict(p.split("=", 1) for p in pairs if "=" in p)
    rows.setdefault((kind, mode), []).append(values)

def med(kind, mode, key):
    xs = sorted(float(v[key]) for v in rows.get((kind, mode), []) if key in v)
    if not xs: return None
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2

def per_req(mode, key):
    xs = sorted(float(v[key]) / float(v["requests"]) for v in rows.get(("wrk", mode), []) if float(v.get("requests", 0)) > 0)
    if not xs: return None
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2

def f(x, d=1): return "—" if x is None else f"{x:,.{d}f}"
nginx = med("wrk", "nginx", "rps")
print("| mode | ping-pong p50 µs | p99 µs | p999 µs | server CPU µs / round trip | context switches / round trip | GET 1-conn p50 / p99 µs | wrk -c64 req/s | ratio to nginx | server CPU µs / req at c64 | switches / req at c64 |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for m in ["dispatch-source", "poller", "epoll-thread", "nginx"]:
    rps = med("wrk", m, "rps")
    pp = m != "nginx"
    print(f"| {m} | {f(med('pingpong', m, 'p50')) if pp else '—'} | {f(med('pingpong', m, 'p99')) if pp else '—'} | {f(med('pingpong', m, 'p999')) if pp else '—'} "
          f"| {f(med('pingpong', m, 'cpu_us')) if pp else '—'} | {f(med('pingpong', m, 'csw'), 2) if pp else '—'} "
          f"| {f(med('probe', m, 'p50'))} / {f(med('probe', m, 'p99'))} | {f(rps, 0)} | {f(rps / nginx, 2) if rps and nginx else '—'} "
          f"| {f(per_req(m, 'cpu_total_us'), 2)} | {f(per_req(m, 'csw_total'), 3)} |")
base = med("pingpong", "epoll-thread", "p99")
for m in ["dispatch-source", "poller"]:
    p = med("pingpong", m, "p99")
    if p is not None and base is not None:
        print(f"Dispatch floor for added first-content latency ≈ 5 × ({m} p99 {p:.1f} − epoll-thread p99 {base:.1f} µs) = {5 * (p - base) / 1000:.3f} ms "
              f"(p50: 5 × {med('pingpong', m, 'p50') - med('pingpong', 'epoll-thread', 'p50'):.1f} µs = {5 * (med('pingpong', m, 'p50') - med('pingpong', 'epoll-thread', 'p50')) / 1000:.3f} ms)")
PY
echo "(medians of $rounds rounds; raw figures in $out/results.txt, wrk output in $out/wrk-*.txt)"
