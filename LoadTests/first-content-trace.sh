#!/usr/bin/env bash
# Where a query's time to first content goes, leg by leg (issue 9): the service pinned to cpu 1, the mock
# (12 deltas, 5 ms apart) and one load client on cpu 0, follow-up queries one at a time, and system-wide
# perf tracepoints (sendto/recvfrom, epoll_wait, futex, eventfd writes, scheduler switches) — cheap enough
# not to reorder anything, unlike strace. Prints, per leg, p50/p90 µs: delivery into the service (the
# peer's sendto → the service's recvfrom: the vCPU's wake-up and Dispatch's manager → worker hand-off) and
# the service's own work (recvfrom → the sendto it leads to), plus the service's context switches.
#
#   LoadTests/first-content-trace.sh [queries]      (default 150; run it under LoadTests/quiet.sh)
#
# Environment: BIN (default .build/release: threadmeter, mock-upstream, threadmeter-load), TRACE_OUT
# (default /tmp/threadmeter-trace; the perf script stays there). Needs perf with tracepoints. Ports 18751-18752.
set -uo pipefail
cd "$(dirname "$0")/.."
bin="${BIN:-.build/release}"
out="${TRACE_OUT:-/tmp/threadmeter-trace}"
n="${1:-150}"
rm -rf "$out"; mkdir -p "$out"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done; }
trap cleanup EXIT
wait_port() { for _ in $(seq 1 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; echo "!! nothing on port $1" >&2; return 1; }

taskset -c 0 "$bin/mock-upstream" --port 18751 --deltas 12 --delta-delay-ms 5 --log-level warning > "$out/mock.log" 2>&1 & mock=$!; pids+=($mock)
env OPENAI_API_KEY=sk-trace OPENAI_BASE_URL=http://127.0.0.1:18751/v1 ASSISTANT_ID=asst_trace \
    taskset -c 1 "$bin/threadmeter" --port 18752 --database-path "$out/tm.sqlite" --log-level warning > "$out/tm.log" 2>&1 & tm=$!; pids+=($tm)
wait_port 18751 && wait_port 18752 || exit 1
taskset -c 0 "$bin/threadmeter-load" --quiet --no-verify --url http://127.0.0.1:18752 --clients 1 --queries 20 > /dev/null 2>&1
perf record -q -a -o "$out/perf.data" -e syscalls:sys_enter_sendto,syscalls:sys_exit_sendto,syscalls:sys_enter_recvfrom,syscalls:sys_exit_recvfrom,syscalls:sys_enter_epoll_wait,syscalls:sys_exit_epoll_wait,syscalls:sys_enter_futex,syscalls:sys_exit_futex,syscalls:sys_enter_write,sched:sched_switch,sched:sched_wakeup --exclude-perf > /dev/null 2>&1 &
perf_pid=$!; sleep 1
taskset -c 0 "$bin/threadmeter-load" --json --quiet --no-verify --url http://127.0.0.1:18752 --clients 1 --queries "$n" > "$out/load.json" 2> /dev/null
sleep 0.3; kill -INT "$perf_pid"; wait "$perf_pid"
perf script -i "$out/perf.data" -F comm,pid,tid,cpu,time,event,trace > "$out/perf.txt" 2> /dev/null
python3 - "$out/perf.txt" "$tm" "$mock" <<'PY'
import re, sys, statistics
path, tm, mock = sys.argv[1], sys.argv[2], sys.argv[3]
rx = re.compile(r'^\s*(.+?)\s+(\d+)/(\d+)\s+\[(\d+)\]\s+([\d.]+):\s+(\S+):\s*(.*)$')
ev = []
for line in open(path):
    m = rx.match(line)
    if m:
        comm, pid, tid, cpu, t, name, rest = m.groups()
        who = 'tm' if pid == tm else 'mock' if pid == mock else 'load' if comm.startswith('threadmeter-loa') else None
        if who: ev.append((float(t) * 1e6, who, int(tid), name.split(':')[1], rest))
def arg(r, k):
    m = re.search(k + r': (0x[0-9a-f]+)', r); return int(m.group(1), 16) if m else -1
def ret(r):
    v = int(r.strip(), 16); return v if v < (1 << 63) else -1
rows = []
i = 0
while i < len(ev):
    t0, who, tid, name, rest = ev[i]
    if not (who == 'load' and name == 'sys_enter_sendto' and arg(rest, 'len') > 100):
        i += 1; continue
    k = {'t0': t0}; fds = {}; last_recv = None; upstream_sends = 0; switches = 0
    j = i + 1
    while j < len(ev) and ev[j][0] - t0 < 30000:
        t, who, tid, name, rest = ev[j]
        if who == 'load' and name == 'sys_enter_sendto' and arg(rest, 'len') > 100: break
        if who == 'tm':
            if name == 'sched_switch': switches += 1
            if name == 'sys_enter_recvfrom': fds[tid] = arg(rest, 'fd')
            if name == 'sys_exit_recvfrom' and ret(rest) > 0:
                last_recv = t
                if 'client' not in k: k['client'] = fds.get(tid); k['t1'] = t
            if name == 'sys_enter_sendto':
                fd = arg(rest, 'fd')
                if fd != k.get('client'):
                    upstream_sends += 1
                    if upstream_sends == 1: k['t2'] = t
                    else: k['t4'] = last_recv; k['t5'] = t
                elif 't6' in k and 't8' not in k:
                    k['t7'] = last_recv; k['t8'] = t; k['switches'] = switches
        if who == 'mock' and name == 'sys_exit_sendto':
            if upstream_sends == 1: k['t3'] = t
            elif upstream_sends >= 2 and 't6' not in k and t - k['t5'] > 2500: k['t6'] = t
        if who == 'load' and name == 'sys_exit_recvfrom' and 't8' in k and ret(rest) > 0:
            k['t9'] = t; break
        j += 1
    if upstream_sends == 2 and all(x in k for x in ('t1', 't2', 't3', 't4', 't5', 't6', 't7', 't8', 't9')): rows.append(k)
    i = j
if not rows: sys.exit("no complete follow-up query found in the trace")
def show(label, a, b):
    v = sorted(r[b] - r[a] for r in rows)
    print(f"  {label:44} p50 {v[len(v) // 2]:6.0f}   p90 {v[int(len(v) * 0.9)]:6.0f} µs")
print(f"{len(rows)} follow-up queries (2 upstream calls each), service on cpu 1:")
show('client request → service recvfrom (delivery)', 't0', 't1')
show('service: request → POST …/messages', 't1', 't2')
show('mock reply → service recvfrom (delivery)', 't3', 't4')
show('service: reply → POST …/runs', 't4', 't5')
show('mock first delta → service recvfrom (delivery)', 't6', 't7')
show('service: delta → content sendto', 't7', 't8')
show('content sendto → client recvfrom', 't8', 't9')
print(f"  service's own legs, p50 sum: {statistics.median([(r['t2']-r['t1'])+(r['t5']-r['t4'])+(r['t8']-r['t7']) for r in rows]):.0f} µs; "
      f"all service-side time (deliveries included): {statistics.median([(r['t2']-r['t0'])+(r['t5']-r['t3'])+(r['t9']-r['t6']) for r in rows]):.0f} µs; "
      f"service context switches per query before first content: {statistics.median([r['switches'] for r in rows]):.0f}")
PY
