#!/usr/bin/env bash
# Loads the operator dashboard in headless Chromium against a live ThreadMeter and checks that the
# numbers it shows equal /stats, that /metrics token counters agree with /stats, and saves a
# screenshot.
#
#   ops/dashboard-check.sh [threadmeter-binary] [screenshot.png]
#
# Defaults: .build/debug/threadmeter (built if missing) and docs/dashboard.png. The server runs on
# a free loopback port with a temporary DATABASE_PATH and ADMIN_TOKEN and the built-in simulated
# assistant (no OPENAI_API_KEY). Needs chromium (apt-get install -y chromium), curl, python3.
# Exit status 0 when every check passed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
binary="${1:-$repo/.build/debug/threadmeter}"
screenshot="${2:-$repo/docs/dashboard.png}"
work="$(mktemp -d)"
. "$here/lib/live-server.sh"
cleanup() {
    live_server_stop
    rm -rf "$work"
}
trap cleanup EXIT

live_server_prepare dashboard-check "$binary" "$repo"

token="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
live_server_start "$binary" "$work" ADMIN_TOKEN="$token"

# Traffic: three accounts, streamed and non-streamed runs, threads continued.
query() { curl -sf -X POST "$base/v1/query" -H 'Content-Type: application/json' -d "$1"; }
thread_of() { python3 -c 'import json,sys
for line in sys.stdin:
    if line.startswith("data:"):
        event = json.loads(line[5:])
        if "thread_id" in event: print(event["thread_id"]); break'; }
t1=$(query '{"query":"What is the status of the Acme renewal?","accountName":"Acme","demand_stage":"Interest"}' | thread_of)
t2=$(query '{"query":"Summarise the Globex pipeline","accountName":"Globex"}' | thread_of)
query "{\"query\":\"And the next steps?\",\"threadId\":\"$t1\",\"accountName\":\"Acme\"}" >/dev/null
query "{\"query\":\"Any risks?\",\"threadId\":\"$t1\",\"accountName\":\"Acme\",\"stream\":false}" >/dev/null
query '{"query":"Draft a follow-up email for Initech about pricing and the onboarding timeline","accountName":"Initech","stream":false}' >/dev/null
query "{\"query\":\"Who are the decision makers?\",\"threadId\":\"$t2\",\"accountName\":\"Globex\"}" >/dev/null
echo "traffic: threads $t1, $t2 and one more"

auth=(-H "Authorization: Bearer $token")
curl -sf "${auth[@]}" "$base/stats?limit=20" >"$work/stats.json"
curl -sf "${auth[@]}" "$base/metrics" >"$work/metrics.txt"

# The page takes the token from the #token= fragment (then moves it to sessionStorage).
chromium --headless --no-sandbox --disable-gpu --virtual-time-budget=4000 \
    --dump-dom "$base/dashboard#token=$token" 2>"$work/chromium.log" >"$work/dom.html"
mkdir -p "$(dirname "$screenshot")"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1400,1250 --virtual-time-budget=4000 \
    --screenshot="$screenshot" "$base/dashboard#token=$token" 2>>"$work/chromium.log" >/dev/null
# /stats again: nothing ran in between, so the page must have shown exactly these numbers.
curl -sf "${auth[@]}" "$base/stats?limit=20" >"$work/stats-after.json"

python3 - "$work/stats.json" "$work/stats-after.json" "$work/dom.html" "$work/metrics.txt" <<'PY'
import json, re, sys
from html.parser import HTMLParser

stats = json.load(open(sys.argv[1]))["statistics"]
after = json.load(open(sys.argv[2]))["statistics"]
failures = 0
def check(label, got, want):
    global failures
    ok = got == want
    failures += not ok
    print(f"PASS  {label} = {want!r}" if ok else f"FAIL  {label}: page shows {got!r}, expected {want!r}")

class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.values, self.rows, self.body, self.row, self.cell, self.text = {}, {}, {}, None, None, ""
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "body": self.body = a
        if a.get("id", "").startswith("total-"): self.values[a["id"]] = a.get("data-value")
        if tag == "tr" and "data-thread-id" in a: self.row = a["data-thread-id"]; self.rows[self.row] = {}
        if tag == "td" and self.row is not None: self.cell = (a.get("class") or "").split(); self.text = ""
    def handle_data(self, data):
        if self.cell is not None: self.text += data
    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None:
            for name in self.cell: self.rows[self.row][name] = self.text
            self.cell = None
        if tag == "tr": self.row = None

page = Page()
page.feed(open(sys.argv[3]).read())
check("/stats did not change while the page loaded", after["total_tokens_across_all_threads"], stats["total_tokens_across_all_threads"])
check("page state", page.body.get("data-state"), "ok")
check("#total-threads", page.values.get("total-threads"), str(stats["total_threads"]))
check("#total-input", page.values.get("total-input"), str(stats["total_input_tokens"]))
check("#total-output", page.values.get("total-output"), str(stats["total_output_tokens"]))
check("#total-tokens", page.values.get("total-tokens"), str(stats["total_tokens_across_all_threads"]))
cost = page.values.get("total-cost")
check("#total-cost", float(cost) if cost else None, float(stats.get("total_estimated_cost_usd") or 0))
check("threads listed", sorted(page.rows), sorted(stats["threads"]))
for thread_id, thread in stats["threads"].items():
    row = page.rows.get(thread_id, {})
    number = lambda text: int(text.replace(",", "")) if text else None
    check(f"{thread_id} total tokens", number(row.get("total")), thread["total_tokens"])
    check(f"{thread_id} account", row.get("account"), thread.get("account") or "–")

# Counters on /metrics agree with /stats (fresh database, no evictions: every token counted once).
tokens = {}
for line in open(sys.argv[4]):
    m = re.match(r'threadmeter_tokens_total\{direction="(\w+)",model="[^"]*"\} (\S+)', line)
    if m: tokens[m[1]] = tokens.get(m[1], 0) + float(m[2])
check("/metrics input tokens", tokens.get("input"), float(stats["total_input_tokens"]))
check("/metrics output tokens", tokens.get("output"), float(stats["total_output_tokens"]))
sys.exit(1 if failures else 0)
PY
echo "screenshot: $screenshot"
