#!/usr/bin/env python3
"""Drive headless Chromium over the DevTools protocol on a pipe (no websocket library needed).

    headless.py URL --until JS [--timeout S] [--dom FILE] [--screenshot FILE] [--size W,H]

Opens URL, evaluates the JavaScript expression JS every 100 ms until it is truthy (or the timeout
passes: exit 1), then writes the DOM (outerHTML) and/or a PNG screenshot. Unlike --dump-dom with
--virtual-time-budget, this waits in real time, so pages that read streamed fetch bodies finish.
"""
import argparse, base64, json, os, subprocess, sys, time

parser = argparse.ArgumentParser()
parser.add_argument("url")
parser.add_argument("--until", required=True)
parser.add_argument("--timeout", type=float, default=60)
parser.add_argument("--dom")
parser.add_argument("--screenshot")
parser.add_argument("--size", default="1400,900")
args = parser.parse_args()
width, height = (int(x) for x in args.size.split(","))

# Debian's /usr/bin/chromium is a wrapper script; the browser itself keeps fds 3 and 4 only when run directly.
CHROMIUM = next((p for p in ("/usr/lib/chromium/chromium",) if os.access(p, os.X_OK)), "chromium")

to_chrome_r, to_chrome_w = os.pipe()
from_chrome_r, from_chrome_w = os.pipe()
# Chromium reads commands on fd 3 and writes replies on fd 4 (--remote-debugging-pipe).
def child_fds():
    # Via fresh copies: dup2 onto itself would keep the pipe's close-on-exec flag.
    read_end, write_end = os.dup(to_chrome_r), os.dup(from_chrome_w)
    os.dup2(read_end, 3)
    os.dup2(write_end, 4)
chrome = subprocess.Popen(
    [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--remote-debugging-pipe",
     f"--window-size={width},{height}", "about:blank"],
    close_fds=False, preexec_fn=child_fds,  # close_fds would close 3 and 4 after preexec_fn
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
os.close(to_chrome_r)
os.close(from_chrome_w)
writer = os.fdopen(to_chrome_w, "wb", buffering=0)
reader = os.fdopen(from_chrome_r, "rb", buffering=0)
buffer = b""
next_id = 0

def call(method, params=None, session=None):
    global buffer, next_id
    next_id += 1
    message = {"id": next_id, "method": method, "params": params or {}}
    if session:
        message["sessionId"] = session
    writer.write(json.dumps(message).encode() + b"\0")
    while True:
        while b"\0" not in buffer:
            chunk = reader.read(65536)
            if not chunk:
                raise SystemExit(f"headless: chromium closed the pipe during {method}")
            buffer += chunk
        raw, buffer = buffer.split(b"\0", 1)
        reply = json.loads(raw)
        if reply.get("id") == next_id:
            if "error" in reply:
                raise SystemExit(f"headless: {method}: {reply['error']}")
            return reply.get("result", {})

status = 1
try:
    target = call("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    call("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session)
    call("Page.navigate", {"url": args.url}, session)
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        result = call("Runtime.evaluate", {"expression": f"!!({args.until})", "returnByValue": True}, session)
        if result.get("result", {}).get("value") is True:
            status = 0
            break
        time.sleep(0.1)
    else:
        print(f"headless: {args.until} was not true within {args.timeout} s", file=sys.stderr)
    if args.dom:
        html = call("Runtime.evaluate", {"expression": "document.documentElement.outerHTML", "returnByValue": True}, session)
        with open(args.dom, "w") as out:
            out.write(html["result"]["value"])
    if args.screenshot:
        shot = call("Page.captureScreenshot", {"format": "png"}, session)
        with open(args.screenshot, "wb") as out:
            out.write(base64.b64decode(shot["data"]))
finally:
    try:
        call("Browser.close")
    except BaseException:
        pass
    try:
        chrome.wait(timeout=10)
    except subprocess.TimeoutExpired:
        chrome.kill()
sys.exit(status)
