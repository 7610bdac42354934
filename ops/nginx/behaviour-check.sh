#!/usr/bin/env bash
# Runs nginx/threadmeter.conf for real on loopback in front of three stand-in replicas and checks
# what `nginx -t` cannot: requests about one thread always reach the same replica (X-Thread-Id
# header, /stats/threads/{id} path, ?thread_id= parameter), new threads spread over the replicas,
# the dashboard's reads stay on one replica,
# SSE responses are passed through unbuffered, and /metrics is refused to outside addresses.
# Needs nginx, openssl, curl, python3. Exit status 0 when every check passed.
set -u
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
failures=0
check() { if [ "$2" = "$3" ]; then printf 'PASS  %s\n' "$1"; else printf 'FAIL  %s (got %s, want %s)\n' "$1" "$2" "$3"; failures=$((failures + 1)); fi; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# Three replicas: answer with their name; /v1/stream sends one SSE event, waits 1.5 s, sends another.
cat > "$work/replica.py" <<'PY'
import http.server, socketserver, sys, time
name = sys.argv[2]
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args): pass
    def do_GET(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.startswith("/v1/stream"):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i, pause in ((1, 1.5), (2, 0)):
                data = f"event: content\ndata: {{\"n\":{i}}}\n\n".encode()
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data)); self.wfile.flush()
                time.sleep(pause)
            self.wfile.write(b"0\r\n\r\n"); self.wfile.flush()
            return
        body = name.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    do_POST = do_GET
class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
Server(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
PY
replica_ports=()
for name in r1 r2 r3; do
    port=$(free_port)
    replica_ports+=("$port")
    python3 "$work/replica.py" "$port" "$name" & pids+=($!)
done

https_port=$(free_port)
http_port=$(free_port)
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=threadmeter.example.com" \
    -keyout "$work/key.pem" -out "$work/cert.pem" >/dev/null 2>&1
mkdir -p "$work/logs"
# The shipped site, with loopback ports for listeners and replicas, temp cert and logs.
sed -e "s|/etc/letsencrypt/live/threadmeter.example.com/fullchain.pem|$work/cert.pem|" \
    -e "s|/etc/letsencrypt/live/threadmeter.example.com/privkey.pem|$work/key.pem|" \
    -e "s|/var/log/nginx/|$work/logs/|" \
    -e "/listen \[::\]/d" \
    -e "s|listen 443 ssl http2;|listen 127.0.0.1:$https_port ssl http2;|" \
    -e "s|listen 80;|listen 127.0.0.1:$http_port;|" \
    -e "s|server 10.0.0.11:8080|server 127.0.0.1:${replica_ports[0]}|" \
    -e "s|server 10.0.0.12:8080|server 127.0.0.1:${replica_ports[1]}|" \
    -e "s|server 10.0.0.13:8080|server 127.0.0.1:${replica_ports[2]}|" \
    -e "s|allow 127.0.0.1;|# loopback is the 'outside' in this check|" \
    "$here/threadmeter.conf" > "$work/site.conf"
cat > "$work/nginx.conf" <<CONF
daemon off;
master_process off;
pid $work/nginx.pid;
error_log $work/logs/error.log;
events {}
http {
    client_body_temp_path $work/body;
    proxy_temp_path $work/proxy;
    include $work/site.conf;
}
CONF
nginx -p "$work" -c "$work/nginx.conf" & pids+=($!)
for _ in $(seq 50); do curl -sk -o /dev/null "https://127.0.0.1:$https_port/health" && break; sleep 0.1; done

get() { curl -sk --resolve "threadmeter.example.com:$https_port:127.0.0.1" "https://threadmeter.example.com:$https_port$1" "${@:2}"; }

# Same thread, every way of naming it → one replica.
owner=$(get /v1/query -X POST -H 'X-Thread-Id: thread_abc' -d '{}')
same=1
for _ in 1 2 3 4 5; do [ "$(get /v1/query -X POST -H 'X-Thread-Id: thread_abc' -d '{}')" = "$owner" ] || same=0; done
check "X-Thread-Id routes every request of a thread to one replica" "$same" 1
check "/stats/threads/{id} reaches the thread's replica" "$(get /stats/threads/thread_abc)" "$owner"
check "/stats?thread_id= reaches the thread's replica" "$(get '/stats?thread_id=thread_abc')" "$owner"

# Many thread ids spread over all three replicas; requests without a key are spread too.
spread=$(for i in $(seq 60); do get /v1/query -X POST -H "X-Thread-Id: thread_$i" -d '{}'; echo; done | sort -u | wc -l)
check "60 thread ids spread over all 3 replicas" "$spread" 3
unkeyed=$(for i in $(seq 60); do get /v1/query -X POST -d '{}'; echo; done | sort -u | wc -l)
check "new threads (no key) spread over all 3 replicas" "$unkeyed" 3
check "a malformed X-Thread-Id is not used as key (spreads like a new thread)" \
    "$(for i in $(seq 60); do get /v1/query -X POST -H 'X-Thread-Id: bad/id' -d '{}'; echo; done | sort -u | wc -l)" 3

operator=$(for path in /stats /health /dashboard '/stats/usage?group_by=day' /stats /health; do get "$path"; echo; done | sort -u | wc -l)
check "operator requests without a thread (dashboard reads) all reach one replica" "$operator" 1

# SSE: the first event arrives before the replica finishes the stream.
timing=$(get /v1/stream -o /dev/null -w '%{time_starttransfer} %{time_total}')
first=${timing% *}; total=${timing#* }
check "SSE first event passes through unbuffered (first byte ${first}s, stream ${total}s)" \
    "$(python3 -c "print(int($first < 1.0 and $total >= 1.4))")" 1

check "/metrics is refused to addresses outside the allow list" "$(get /metrics -o /dev/null -w '%{http_code}')" 403
check "plain HTTP redirects to HTTPS" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$http_port/health")" 301

exit $(( failures > 0 ))
