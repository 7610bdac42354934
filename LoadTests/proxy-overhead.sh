#!/usr/bin/env bash
# Proxy overhead: time to first `content` and to the end of the stream through ThreadMeter versus straight
# from the mock upstream, for both upstream protocols, at 1 and at 200 concurrent streams.
# Usage: LoadTests/proxy-overhead.sh [delta-delay-ms]   (release builds; loopback only; ~1-2 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
delay=${1:-20}
for product in threadmeter threadmeter-load mock-upstream; do swift build -c release --product "$product" >/dev/null; done
bin=.build/release
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
ulimit -n 20000 2>/dev/null || true

port_of() { # waits for "127.0.0.1:PORT" in a log file
  for _ in $(seq 1 100); do
    p=$(grep -o '127\.0\.0\.1:[0-9]*' "$1" 2>/dev/null | head -1 | cut -d: -f2)
    [ -n "$p" ] && { echo "$p"; return; }
    sleep 0.1
  done
  echo "no port in $1" >&2; cat "$1" >&2; exit 1
}

"$bin/mock-upstream" --port 0 --deltas 12 --delta-delay-ms "$delay" --log-level warning >"$tmp/mock.log" 2>&1 &
pids+=($!)
mock=$(port_of "$tmp/mock.log")

printf '%-11s %-5s %-12s %22s %22s\n' protocol conc path "first content p50/p99" "complete p50/p99"
for api in assistants responses; do
  if [ "$api" = assistants ]; then env=(ASSISTANT_ID=asst_load UPSTREAM_API=assistants); else env=(UPSTREAM_API=responses OPENAI_MODEL=gpt-4o-mini); fi
  env "${env[@]}" OPENAI_API_KEY=sk-bench OPENAI_BASE_URL="http://127.0.0.1:$mock/v1" PORT=0 \
      DATABASE_PATH="$tmp/$api.sqlite" LOG_LEVEL=warning "$bin/threadmeter" >"$tmp/tm-$api.log" 2>&1 &
  tm_pid=$!
  pids+=($tm_pid)
  sleep 0.5
  tm=$(ss -ltnp 2>/dev/null | grep "pid=$tm_pid," | grep -o '127\.0\.0\.1:[0-9]*' | head -1 | cut -d: -f2)
  for spec in "1 100" "200 3"; do
    set -- $spec
    for path in direct proxy; do
      if [ "$path" = direct ]; then args=(--url "http://127.0.0.1:$mock/v1" --target "$api"); else args=(--url "http://127.0.0.1:$tm"); fi
      "$bin/threadmeter-load" "${args[@]}" --clients "$1" --queries "$2" --json >"$tmp/out.json" 2>"$tmp/err.txt" || { cat "$tmp/err.txt"; }
      python3 - "$api" "$1" "$path" "$tmp/out.json" <<'PY'
import json, sys
api, conc, path, f = sys.argv[1:5]
d = json.load(open(f))
lat = d["latency_ms"]
fc, sc = lat["first_content"], lat["stream_complete"]
q = d["queries"]
print(f"{api:<11} {conc:<5} {path:<12} {fc['p50']:>10.2f}/{fc['p99']:<10.2f} {sc['p50']:>10.2f}/{sc['p99']:<10.2f}  ok={q['succeeded']}/{q['started']}")
PY
    done
  done
  kill "$tm_pid"
done
