#!/usr/bin/env bash
# Issue 11 figures side by side in one run: streamed queries per second and stream_complete latency
# with 1 replica on SQLite, 1 replica on PostgreSQL and 2 replicas on PostgreSQL.
#
#   LoadTests/replicas-bench.sh
#
# So that the service — not the load client, the mock upstream or PostgreSQL — is the limit on a small
# machine, every replica runs in its own CPU cgroup capped at REPLICA_CPU of a core (default 0.25;
# cgroup v1 `cpu` or v2 `cpu.max`, needs root). Without a writable cgroup tree every replica is pinned
# to cpu 1 instead, where two replicas share one core and cannot show scaling (the script says so).
# PostgreSQL is a throwaway cluster (initdb in a temp dir, loopback port) with durable commits
# (fsync and synchronous_commit on), like SQLite's synchronous=FULL.
#
# Environment: BENCH_OUT (default /tmp/threadmeter-replicas), BENCH_BUILD=0 to reuse .build/release,
# REPLICA_CPU=0.25, CLIENTS=100 (per replica pair: the same total load for every configuration),
# SECONDS_PER_RUN=10, ROUNDS=3, LAT_CLIENTS=4, LAT_QUERIES=150.
# Targets: 2 PostgreSQL replicas ≥ 1.6 × 1 PostgreSQL replica's q/s; stream_complete p50 added by
# PostgreSQL over SQLite ≤ 2 ms. Loopback only; every process it starts is stopped at exit.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out="${BENCH_OUT:-/tmp/threadmeter-replicas}"
rm -rf "$out"; mkdir -p "$out"
release="$root/.build/release"
cpu="${REPLICA_CPU:-0.25}"
clients="${CLIENTS:-100}"
secs="${SECONDS_PER_RUN:-10}"
rounds="${ROUNDS:-3}"
lat_clients="${LAT_CLIENTS:-4}"
lat_queries="${LAT_QUERIES:-150}"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

pids=()
cgroups=()
pgdata=""
pg_as=()
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
    pids=()
    for g in "${cgroups[@]}"; do rmdir "$g" 2>/dev/null; done
    cgroups=()
}
stop_pg() { [ -n "$pgdata" ] && "${pg_as[@]}" "$pgbin/pg_ctl" -D "$pgdata" -m immediate -w stop >/dev/null 2>&1; rm -rf "$out/pg"; pgdata=""; }
mock_pid=""
trap 'cleanup; [ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null; stop_pg' EXIT
figure() { printf '%s\n' "$*" | tee -a "$out/figures.txt"; }
wait_port() { for _ in $(seq 1 400); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; echo "!! nothing on port $1" >&2; return 1; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR ? v[int((NR + 1) / 2)] : 0) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# --- CPU caps -----------------------------------------------------------------------------------
cg_mode=none
if [ -w /sys/fs/cgroup/cpu ] && [ -e /sys/fs/cgroup/cpu/cpu.cfs_quota_us ]; then cg_mode=v1
elif [ -w /sys/fs/cgroup ] && [ -e /sys/fs/cgroup/cgroup.controllers ] && grep -qw cpu /sys/fs/cgroup/cgroup.controllers; then cg_mode=v2
fi
# cap PID: moves PID into a fresh cgroup capped at $cpu of a core.
cap() {
    local pid=$1 quota g
    quota=$(awk -v c="$cpu" 'BEGIN { printf "%d", c * 100000 }')
    case $cg_mode in
    v1) g=/sys/fs/cgroup/cpu/threadmeter-bench-$pid; mkdir -p "$g"; echo 100000 > "$g/cpu.cfs_period_us"; echo "$quota" > "$g/cpu.cfs_quota_us"; echo "$pid" > "$g/cgroup.procs" ;;
    v2) g=/sys/fs/cgroup/threadmeter-bench-$pid; mkdir -p "$g"; echo "$quota 100000" > "$g/cpu.max"; echo "$pid" > "$g/cgroup.procs" ;;
    *)  taskset -pc 1 "$pid" >/dev/null; return ;;
    esac
    cgroups+=("$g")
}

if [ "${BENCH_BUILD:-1}" = 1 ]; then
    for p in threadmeter threadmeter-load mock-upstream; do swift build -c release --product "$p" >/dev/null || exit 1; done
fi
figure "date $(date -u +%Y-%m-%dT%H:%MZ); $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
if [ $cg_mode = none ]; then
    figure "!! no writable cgroup tree: replicas pinned to cpu 1 (two replicas share one core; scaling cannot show)"
else
    figure "each replica capped at $cpu of a core (cgroup $cg_mode); load client, mock and PostgreSQL uncapped"
fi

# --- PostgreSQL ---------------------------------------------------------------------------------
[ -n "$pgbin" ] || { echo "no PostgreSQL server binaries (apt-get install postgresql)" >&2; exit 1; }
mkdir -p "$out/pg"
if [ "$(id -u)" = 0 ]; then chown postgres: "$out/pg"; chmod 0755 "$out"; pg_as=(runuser -u postgres --); fi
pgport=$(free_port)
pgdata="$out/pg/data"
"${pg_as[@]}" "$pgbin/initdb" -D "$pgdata" -U threadmeter -A trust -E UTF8 --locale=C >/dev/null || exit 1
cat >> "$pgdata/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $pgport
unix_socket_directories = '$out/pg'
max_connections = 50
shared_buffers = 128MB
CONF
"${pg_as[@]}" "$pgbin/pg_ctl" -D "$pgdata" -l "$out/pg/server.log" -w start >/dev/null || exit 1
"${pg_as[@]}" "$pgbin/createdb" -h 127.0.0.1 -p "$pgport" -U threadmeter threadmeter || exit 1
db_url="postgres://threadmeter@127.0.0.1:$pgport/threadmeter"
reset_db() { "${pg_as[@]}" "$pgbin/psql" -h 127.0.0.1 -p "$pgport" -U threadmeter -d threadmeter -qAt -c \
    "DROP TABLE IF EXISTS llm_calls, threads, run_leases, thread_evictions, usage_totals, threadmeter_schema" >/dev/null 2>&1; }

# --- processes ----------------------------------------------------------------------------------
mock_port=$(free_port)
"$release/mock-upstream" --port "$mock_port" --deltas 12 --log-level warning > "$out/mock.log" 2>&1 &
mock_pid=$!
wait_port "$mock_port" || exit 1

# replica NAME PORT STORE-ENV… : starts one replica (capped) and waits for its port.
replica() {
    local name=$1 port=$2; shift 2
    env OPENAI_API_KEY=sk-bench OPENAI_BASE_URL="http://127.0.0.1:$mock_port/v1" ASSISTANT_ID=asst_bench \
        PENDING_RUNS_PATH="$out/$name.pending" REPLICA_NAME="$name" "$@" \
        "$release/threadmeter" --port "$port" --log-level warning > "$out/$name.log" 2>&1 &
    local pid=$!
    pids+=("$pid")
    [ "${UNCAPPED:-0}" = 1 ] || cap "$pid"
    wait_port "$port"
}

# load TAG PORT CLIENTS [args…] → "q/s complete_p50 complete_p99 errors"
load() {
    local tag=$1 port=$2 c=$3; shift 3
    "$release/threadmeter-load" --json --quiet --no-verify --url "http://127.0.0.1:$port" --clients "$c" --new-thread-share 0.3 "$@" \
        > "$out/$tag.json" 2> "$out/$tag.err"
    python3 - "$out/$tag.json" <<'PY'
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except Exception:
    print("0 0 0 999"); sys.exit()
c = r["latency_ms"]["stream_complete"]
print(f"{r['queries_per_second']:.1f} {c['p50']:.3f} {c['p99']:.3f} {sum(r['errors'].values()) + r['queries']['started'] - r['queries']['succeeded']}")
PY
}

# throughput CONFIG PORT… : all replicas loaded at once for $secs, CLIENTS split between them.
throughput() {
    local config=$1; shift
    local targets=("$@")
    local n=${#targets[@]} per=$(( clients / ${#targets[@]} ))
    for r in $(seq 1 "$rounds"); do
        local jobs=() i=0
        for port in "${targets[@]}"; do
            i=$((i + 1))
            ( load "$config-$r-$i" "$port" "$per" --profile soak --duration "$secs" > "$out/$config-$r-$i.fig" ) &
            jobs+=("$!")
        done
        wait "${jobs[@]}"
        local total=0 errors=0 fig
        for i in $(seq 1 "$n"); do
            read -r -a fig < "$out/$config-$r-$i.fig"
            total=$(awk -v a="$total" -v b="${fig[0]}" 'BEGIN { print a + b }'); errors=$((errors + ${fig[3]}))
        done
        echo "$config $total $errors" >> "$out/throughput.txt"
    done
}

figure "== throughput: $clients clients in total, ${secs}s × $rounds rounds, 30% new threads, mock with 12 deltas"
declare -A qps
for config in sqlite-1 postgres-1 postgres-2; do
    cleanup
    reset_db
    ports=()
    case $config in
    sqlite-1)   p=$(free_port); replica tm-sqlite "$p" DATABASE_PATH="$out/bench.sqlite" || exit 1; ports=("$p") ;;
    postgres-1) p=$(free_port); replica tm-pg1 "$p" DATABASE_URL="$db_url" || exit 1; ports=("$p") ;;
    postgres-2) p=$(free_port); replica tm-pg1 "$p" DATABASE_URL="$db_url" || exit 1; q=$(free_port); replica tm-pg2 "$q" DATABASE_URL="$db_url" || exit 1; ports=("$p" "$q") ;;
    esac
    throughput "$config" "${ports[@]}"
    qps[$config]=$(awk -v c="$config" '$1 == c { print $2 }' "$out/throughput.txt" | median)
    errs=$(awk -v c="$config" '$1 == c { s += $3 } END { print s + 0 }' "$out/throughput.txt")
    figure "throughput $config: ${qps[$config]} q/s (median of $rounds), errors $errs"
done
cleanup
figure "throughput ratio postgres-2 / postgres-1: $(ratio "${qps[postgres-2]}" "${qps[postgres-1]}") (target ≥ 1.6)"
figure "throughput ratio postgres-1 / sqlite-1: $(ratio "${qps[postgres-1]}" "${qps[sqlite-1]}")"

figure "== stream_complete latency: $lat_clients clients × $lat_queries queries, replicas uncapped, alternating rounds"
for r in $(seq 1 "$rounds"); do
    for config in sqlite postgres; do
        cleanup
        reset_db
        p=$(free_port)
        if [ $config = sqlite ]; then
            UNCAPPED=1 replica tm-lat-sqlite "$p" DATABASE_PATH="$out/lat-$r.sqlite" || exit 1
        else
            UNCAPPED=1 replica tm-lat-pg "$p" DATABASE_URL="$db_url" || exit 1
        fi
        set -- $(load "lat-$config-$r" "$p" "$lat_clients" --queries "$lat_queries")
        echo "$config $2 $3 $4" >> "$out/latency.txt"
    done
done
cleanup
s50=$(awk '$1 == "sqlite" { print $2 }' "$out/latency.txt" | median); p50=$(awk '$1 == "postgres" { print $2 }' "$out/latency.txt" | median)
s99=$(awk '$1 == "sqlite" { print $3 }' "$out/latency.txt" | median); p99=$(awk '$1 == "postgres" { print $3 }' "$out/latency.txt" | median)
figure "stream_complete sqlite p50 $s50 / p99 $s99 ms; postgres p50 $p50 / p99 $p99 ms; added p50 $(awk -v a="$p50" -v b="$s50" 'BEGIN { printf "%.3f", a - b }') ms (target ≤ 2)"
figure "figures in $out/figures.txt"
