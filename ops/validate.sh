#!/usr/bin/env bash
# Validates the ops/ files with the real tools where they exist on this machine:
#   nginx -t           nginx/threadmeter.conf (inside a throwaway nginx.conf, self-signed cert),
#                      then nginx/behaviour-check.sh runs it for real in front of stand-in replicas
#   promtool           prometheus/prometheus.yml, alerts.yml, alerts.test.yml (unit tests),
#                      and every PromQL query of the Grafana dashboard (as recording rules)
#   systemd-analyze    threadmeter.service and replicas/threadmeter@.service (ExecStart pointed at an existing binary)
#   python3 json.tool  grafana/threadmeter-dashboard.json
#   cross-check        every threadmeter_* metric named in alerts/dashboard exists in ServiceMetrics.swift
# Missing tools are reported as SKIP (install: apt-get install -y nginx prometheus systemd openssl curl).
# Exit status: 0 when nothing FAILed.
set -u
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failures=0

pass() { printf 'PASS  %s\n' "$1"; }
fail() { printf 'FAIL  %s\n' "$1"; failures=$((failures + 1)); }
skip() { printf 'SKIP  %s\n' "$1"; }
# run LABEL CMD...: runs CMD, shows its output indented on failure.
run() {
    local label="$1"; shift
    if "$@" >"$work/out" 2>&1; then pass "$label"; else fail "$label"; sed 's/^/      /' "$work/out"; fi
}

# --- nginx -------------------------------------------------------------------------------------
if command -v nginx >/dev/null && command -v openssl >/dev/null; then
    mkdir -p "$work/nginx/logs"
    openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=threadmeter.example.com" \
        -keyout "$work/nginx/key.pem" -out "$work/nginx/cert.pem" >/dev/null 2>&1
    # Point certificate and log paths at the temp dir; everything else is the site file as shipped.
    sed -e "s|/etc/letsencrypt/live/threadmeter.example.com/fullchain.pem|$work/nginx/cert.pem|" \
        -e "s|/etc/letsencrypt/live/threadmeter.example.com/privkey.pem|$work/nginx/key.pem|" \
        -e "s|/var/log/nginx/|$work/nginx/logs/|" \
        "$here/nginx/threadmeter.conf" > "$work/nginx/site.conf"
    cat > "$work/nginx/nginx.conf" <<CONF
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log;
events {}
http {
    access_log off;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    include $work/nginx/site.conf;
}
CONF
    run "nginx -t on nginx/threadmeter.conf" nginx -t -p "$work/nginx" -c "$work/nginx/nginx.conf"
    # The replicas' site (PostgreSQL store), the same way.
    sed -e "s|/etc/letsencrypt/live/threadmeter.example.com/fullchain.pem|$work/nginx/cert.pem|" \
        -e "s|/etc/letsencrypt/live/threadmeter.example.com/privkey.pem|$work/nginx/key.pem|" \
        -e "s|/var/log/nginx/|$work/nginx/logs/|" \
        "$here/replicas/nginx-replicas.conf" > "$work/nginx/site.conf"
    run "nginx -t on replicas/nginx-replicas.conf" nginx -t -p "$work/nginx" -c "$work/nginx/nginx.conf"
    if command -v curl >/dev/null; then
        run "nginx/behaviour-check.sh (thread-key hashing, SSE unbuffered, /metrics refused)" "$here/nginx/behaviour-check.sh"
    else
        skip "nginx/behaviour-check.sh (curl not installed)"
    fi
else
    skip "nginx/threadmeter.conf (nginx or openssl not installed)"
fi

# --- Prometheus ----------------------------------------------------------------------------------
if command -v promtool >/dev/null; then
    run "promtool check rules prometheus/alerts.yml" promtool check rules "$here/prometheus/alerts.yml"
    run "promtool test rules prometheus/alerts.test.yml" sh -c "cd '$here/prometheus' && promtool test rules alerts.test.yml"
    # check config also opens the credentials file: give it a stand-in.
    mkdir -p "$work/prom"
    echo "stand-in-token" > "$work/prom/token"
    sed "s|/etc/prometheus/threadmeter-admin-token|$work/prom/token|" "$here/prometheus/prometheus.yml" > "$work/prom/prometheus.yml"
    cp "$here/prometheus/alerts.yml" "$work/prom/alerts.yml"
    run "promtool check config prometheus/prometheus.yml" promtool check config "$work/prom/prometheus.yml"
    # Every dashboard query, with Grafana variables filled in, must parse as PromQL.
    if python3 - "$here/grafana/threadmeter-dashboard.json" > "$work/prom/dashboard-queries.yml" <<'PY'
import json, sys
dashboard = json.load(open(sys.argv[1]))
print("groups:\n  - name: dashboard_queries\n    rules:")
n = 0
for panel in dashboard["panels"]:
    for target in panel.get("targets", []):
        n += 1
        expr = target["expr"].replace("$instance", ".*")
        print(f"      - record: dashboard:query_{n}\n        expr: {json.dumps(expr)}")
PY
    then
        run "promtool check rules on the dashboard's PromQL queries" promtool check rules "$work/prom/dashboard-queries.yml"
    else
        fail "extracting the dashboard's queries"
    fi
else
    skip "prometheus/*.yml (promtool not installed: apt-get install -y prometheus)"
fi

# --- systemd -------------------------------------------------------------------------------------
if command -v systemd-analyze >/dev/null; then
    # verify insists that ExecStart exists: point it at the built binary, else at /bin/true.
    binary="$repo/.build/debug/threadmeter"
    [ -x "$binary" ] || binary="$repo/.build/release/threadmeter"
    [ -x "$binary" ] || binary=/bin/true
    sed "s|^ExecStart=.*|ExecStart=$binary|" "$here/threadmeter.service" > "$work/threadmeter.service"
    run "systemd-analyze verify threadmeter.service (ExecStart=$binary)" systemd-analyze verify "$work/threadmeter.service"
    # The replica template, as instance 8081 (verify needs an instance name), with its target.
    sed "s|^ExecStart=.*|ExecStart=$binary|" "$here/replicas/threadmeter@.service" > "$work/threadmeter@8081.service"
    cp "$here/replicas/threadmeter-replicas.target" "$work/"
    run "systemd-analyze verify replicas/threadmeter@.service (as threadmeter@8081)" systemd-analyze verify "$work/threadmeter@8081.service"
    # Informational: systemd's own hardening score for the unit (lower is better).
    systemd-analyze security --offline=yes "$work/threadmeter.service" 2>/dev/null | tail -1 | sed 's/^→ /      /' || true
else
    skip "threadmeter.service (systemd-analyze not installed)"
fi

# --- Grafana -------------------------------------------------------------------------------------
run "JSON syntax of grafana/threadmeter-dashboard.json" python3 -m json.tool "$here/grafana/threadmeter-dashboard.json"

# --- metric names --------------------------------------------------------------------------------
check_names() {
    python3 - "$repo/Sources/ThreadMeterApp/ServiceMetrics.swift" "$here/prometheus/alerts.yml" "$here/prometheus/alerts.test.yml" "$here/grafana/threadmeter-dashboard.json" <<'PY'
import re, sys
source = open(sys.argv[1]).read()
exposed = {"threadmeter_" + n for n in re.findall(r'registry\.\w+\(\s*"([a-z0-9_]+)"', source)}
if not exposed:
    sys.exit("no metric registrations found in ServiceMetrics.swift")
unknown = set()
for path in sys.argv[2:]:
    for name in re.findall(r"threadmeter_[a-z0-9_]+", open(path).read()):
        base = re.sub(r"_(bucket|sum|count)$", "", name)
        if name not in exposed and base not in exposed:
            unknown.add(f"{name} ({path.rsplit('/', 1)[-1]})")
if unknown:
    sys.exit("not exposed by ServiceMetrics: " + ", ".join(sorted(unknown)))
print(f"{len(exposed)} families exposed; all names used in alerts and dashboard exist")
PY
}
run "metric names in alerts and dashboard exist in ServiceMetrics.swift" check_names

# --- Containerfile -------------------------------------------------------------------------------
skip "Containerfile (building needs the base images from a registry; not reachable here)"

echo
if [ "$failures" -eq 0 ]; then echo "ops/ validation: all checks passed"; else echo "ops/ validation: $failures check(s) FAILED"; fi
exit $(( failures > 0 ))
