#!/usr/bin/env bash
# Drives the try-it page (GET /) in headless Chromium against a live ThreadMeter: the page's own
# self-test (/?autotest=1) asks two questions on one thread, stops a third mid-stream and asks a
# fourth; this script checks what the page saw against /stats and saves a screenshot of the page
# as the self-test left it. Chromium is driven over the DevTools pipe by ops/lib/headless.py.
#
#   ops/tryit-check.sh [threadmeter-binary] [screenshot.png]
#
# Defaults: .build/debug/threadmeter (built if missing) and docs/tryit.png. The server runs on a
# free loopback port with a temporary DATABASE_PATH and the built-in simulated assistant (no
# OPENAI_API_KEY), slowed to 60 ms between deltas so a run can be stopped mid-stream. The admin
# routes answer loopback clients without ADMIN_TOKEN. Needs chromium (apt-get install -y chromium),
# curl, python3. Exit status 0 when every check passed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
binary="${1:-$repo/.build/debug/threadmeter}"
screenshot="${2:-$repo/docs/tryit.png}"
work="$(mktemp -d)"
. "$here/lib/live-server.sh"
cleanup() {
    live_server_stop
    rm -rf "$work"
}
trap cleanup EXIT

live_server_prepare tryit-check "$binary" "$repo"

live_server_start "$binary" "$work" SIMULATED_DELAY_MS=60

curl -sf -o "$work/page.html" -w '%{content_type}\n' "$base/" >"$work/content-type"
mkdir -p "$(dirname "$screenshot")"
# Real time, not --virtual-time-budget: virtual time does not wait for streamed fetch bodies.
python3 "$here/lib/headless.py" "$base/?autotest=1" --until 'document.body.dataset.autotest && document.body.dataset.autotest !== "running"' \
    --timeout 60 --dom "$work/dom.html" --screenshot "$screenshot" --size 1400,900 || true

thread="$(python3 - "$work/dom.html" <<'PY'
import json, re, sys
from html import unescape
dom = open(sys.argv[1]).read()
m = re.search(r'<section id="autotest"[^>]*>(.*?)</section>', dom, re.S)
report = json.loads(unescape(m.group(1))) if m and m.group(1).strip() else {}
print(report.get("thread_id", ""))
PY
)"
[ -n "$thread" ] || { echo "FAIL  the page wrote no autotest report"; exit 1; }
curl -sf "$base/stats/threads/$thread" >"$work/thread.json"
curl -sf "$base/stats" >"$work/stats.json"

python3 - "$work/dom.html" "$work/thread.json" "$work/stats.json" "$work/content-type" <<'PY'
import json, re, sys
from html import unescape
dom = open(sys.argv[1]).read()
thread = json.load(open(sys.argv[2]))
stats = json.load(open(sys.argv[3]))["statistics"]
content_type = open(sys.argv[4]).read().strip()
report = json.loads(unescape(re.search(r'<section id="autotest"[^>]*>(.*?)</section>', dom, re.S).group(1)))
state = re.search(r'<body[^>]*data-autotest="(\w+)"', dom)
failures = 0
def check(label, ok, detail=""):
    global failures
    failures += not ok
    print(("PASS  " if ok else "FAIL  ") + label + ("" if ok else f": {detail}"))

runs = report.get("runs", [])
check("GET / is HTML", content_type.startswith("text/html"), content_type)
check("the self-test finished", state and state.group(1) == "done", report.get("exception"))
check("four runs", len(runs) == 4, runs)
first, second, stopped, fourth = (runs + [{}] * 4)[:4]
check("the first question started a new thread", first.get("new_thread") is True, first)
check("every run used that thread", all(r.get("thread_id") == report["thread_id"] for r in runs), runs)
check("later runs continued it", all(r.get("new_thread") is False for r in runs[1:]), runs)
for name, run in (("first", first), ("second", second), ("fourth", fourth)):
    check(f"the {name} answer streamed (content events)", run.get("contents", 0) > 1, run)
    check(f"the {name} run completed with usage", bool(run.get("run_usage")) and run.get("error") is None, run)
check("the third run was stopped mid-stream", stopped.get("stopped") is True and stopped.get("contents", 0) >= 2 and not stopped.get("run_usage"), stopped)
check("thread_info of the second run = the total after the first", second.get("before") == first.get("after"), (second.get("before"), first.get("after")))
stopped_usage = fourth["before"]["total_tokens"] - second["after"]["total_tokens"] if fourth.get("before") and second.get("after") else 0
check("the stopped run was still counted (the fourth run's thread_info grew)", stopped_usage > 0, stopped_usage)
check("/stats counts 4 runs on the thread", thread.get("runs") == 4, thread)
check("the page's total equals /stats", report.get("shown_total") == thread.get("total_tokens"), (report.get("shown_total"), thread.get("total_tokens")))
check("the last stream_complete token_usage equals /stats", fourth.get("after", {}).get("total_tokens") == thread.get("total_tokens"), (fourth.get("after"), thread))
check("/stats totals cover the thread", stats["total_tokens_across_all_threads"] >= thread.get("total_tokens", 0), stats)
sys.exit(1 if failures else 0)
PY

echo "screenshot: $screenshot"
