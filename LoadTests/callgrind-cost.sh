#!/usr/bin/env bash
# Instructions the service executes per request, counted by valgrind's callgrind: repeatable on a
# busy machine where wall-clock figures are not. Counts only the threadmeter process, from after
# its start-up (counters zeroed once it answers) to after the load (counters dumped, then it stops).
#
#   LoadTests/callgrind-cost.sh queries [N]     N queries (new threads) through the mock, Assistants (default 200)
#   LoadTests/callgrind-cost.sh responses [N]   the same with UPSTREAM_API=responses
#   LoadTests/callgrind-cost.sh health [N]      N keep-alive GET /health at LOG_LEVEL=info (default 2000)
#   LoadTests/callgrind-cost.sh https [N]       queries with an https:// upstream: nginx terminating TLS
#                                               in front of the mock (certificates made here)
#   LoadTests/callgrind-cost.sh http-nginx [N]  the same through nginx without TLS (https's baseline)
#
# Environment: BIN (default .build/release: threadmeter, mock-upstream, threadmeter-load),
# CG_OUT (default /tmp/threadmeter-callgrind), PORT_BASE (default 18601: the mock, the service on
# +1, nginx on +2 and +3). Prints "Ir per request"; the callgrind file stays in CG_OUT for
# callgrind_annotate. Every process it starts is stopped; a port already taken is an error (a run
# must never measure somebody else's server).
set -uo pipefail
cd "$(dirname "$0")/.."
bin="${BIN:-.build/release}"
out="${CG_OUT:-/tmp/threadmeter-callgrind}"
mode="${1:-queries}"
mkdir -p "$out"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done; }
trap cleanup EXIT
wait_port() { for _ in $(seq 1 600); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; echo "!! nothing on port $1" >&2; return 1; }

api=assistants; n="${2:-200}"
case "$mode" in
    queries) ;;
    responses) api=responses ;;
    health) n="${2:-2000}" ;;
    https|http-nginx) ;;
    *) echo "usage: $0 queries|responses|health|https|http-nginx [N]" >&2; exit 2 ;;
esac

pm="${PORT_BASE:-18601}"; psvc=$((pm + 1)); pn=$((pm + 2)); pt=$((pm + 3))
for p in $pm $psvc $pn $pt; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "!! port $p is already taken (set PORT_BASE)" >&2; exit 1; fi
done
rm -f "$out/callgrind.$mode.out"*

# valgrind 3.19 writes into the mask given to sigsuspend, and libdispatch's main-thread parking
# (dispatchMain) passes a read-only one: valgrind crashes. A preloaded sigsuspend copies it first.
cat > "$out/sigsuspend.c" <<'C'
#define _GNU_SOURCE
#include <signal.h>
#include <unistd.h>
#include <sys/syscall.h>
int sigsuspend(const sigset_t *mask) { sigset_t copy = *mask; return (int)syscall(SYS_rt_sigsuspend, &copy, 8); }
C
clang -shared -fPIC -O2 -o "$out/libsigsuspend.so" "$out/sigsuspend.c" || exit 1

"$bin/mock-upstream" --port $pm --deltas 12 --log-level warning > "$out/mock.log" 2>&1 & pids+=($!)
wait_port $pm || exit 1
base=http://127.0.0.1:$pm/v1; ca=()
if [ "$mode" = https ] || [ "$mode" = http-nginx ]; then
    d="$out/certs"; mkdir -p "$d"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/ca.key" -out "$d/ca.pem" -days 2 -subj "/CN=bench CA" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout "$d/leaf.key" -out "$d/leaf.csr" -subj "/CN=localhost" 2>/dev/null
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > "$d/ext"
    openssl x509 -req -in "$d/leaf.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial -out "$d/leaf.pem" -days 2 -extfile "$d/ext" 2>/dev/null
    mkdir -p "$out/nginx"
    cat > "$out/nginx/nginx.conf" <<NGX
worker_processes 1; daemon off; pid $out/nginx/nginx.pid; error_log $out/nginx/error.log warn;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 10000000;
  upstream mock { server 127.0.0.1:$pm; keepalive 64; }
  server { listen 127.0.0.1:$pn; listen 127.0.0.1:$pt ssl;
    ssl_certificate $d/leaf.pem; ssl_certificate_key $d/leaf.key; ssl_session_cache shared:S:10m;
    location / { proxy_pass http://mock; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering off; } } }
NGX
    nginx -c "$out/nginx/nginx.conf" -p "$out/nginx" > "$out/nginx.log" 2>&1 & pids+=($!)
    wait_port $pt || exit 1
    if [ "$mode" = https ]; then base=https://localhost:$pt/v1; ca=(UPSTREAM_CA_FILE="$d/ca.pem"); else base=http://127.0.0.1:$pn/v1; fi
fi
file="$out/callgrind.$mode.out"
env SWIFT_BACKTRACE=enable=no LD_PRELOAD="$out/libsigsuspend.so" "${ca[@]}" OPENAI_API_KEY=sk-bench OPENAI_BASE_URL="$base" ASSISTANT_ID=asst_bench OPENAI_MODEL=gpt-4o-mini UPSTREAM_API=$api \
    valgrind --tool=callgrind --callgrind-out-file="$file" \
    "$bin/threadmeter" --port $psvc --database-path "$out/cg.sqlite" --log-level "$([ "$mode" = health ] && echo info || echo warning)" \
    > "$out/threadmeter.log" 2>&1 &
tm=$!; pids+=($tm)
wait_port $psvc || exit 1
# Warm up (first connections, lazy initialisation), then count from zero.
"$bin/threadmeter-load" --url http://127.0.0.1:$psvc --clients 2 --queries 2 --no-verify --quiet --json > /dev/null 2>&1
curl -s http://127.0.0.1:$psvc/health > /dev/null
callgrind_control -z "$tm" > /dev/null
if [ "$mode" = health ]; then
    # One keep-alive connection, N requests (curl reuses the connection for repeated URLs).
    urls=(); for _ in $(seq 1 "$n"); do urls+=(http://127.0.0.1:$psvc/health); done
    printf 'url = "%s"\noutput = /dev/null\n' "${urls[@]}" | curl -s -K - > /dev/null
else
    "$bin/threadmeter-load" --url http://127.0.0.1:$psvc --clients 10 --queries $((n / 10)) --new-thread-share 1 --no-verify --quiet --json > "$out/load.$mode.json"
fi
callgrind_control -d "$tm" > /dev/null
sleep 1
dump=$(ls -t "$file".* 2>/dev/null | head -1)
[ -n "$dump" ] || { echo "!! no callgrind dump (see $out/threadmeter.log)" >&2; exit 1; }
total=$(awk '/^summary:|^totals:/ { print $2; exit }' "$dump")
echo "$mode: $total Ir for $n requests: $((total / n)) Ir per request ($dump)"
