// The try-it page served at GET /: ask a question from the browser and watch it stream and get metered.

/// A single HTML page (inline CSS and JavaScript, nothing from a CDN, no build step) that posts to
/// `/v1/query` with `fetch` and reads the SSE answer with a `ReadableStream` reader: it shows the
/// answer as it streams, `thread_info` (the thread's usage before the run) and `stream_complete`
/// (the run's usage, the thread's new total, model and cost), continues the thread, and stops a run
/// with an `AbortController` (the service then cancels it upstream and still counts its usage). An
/// API key (for `API_KEYS`) is kept in `sessionStorage`. All data is inserted as text, never markup.
///
/// Stable element ids for checks: `#question`, `#ask`, `#stop`, `#new-thread`, `#answer`,
/// `#thread-id`, `#threads` (one `tr[data-thread-id]` per thread with cells `.runs`, `.input`,
/// `.output`, `.total`, `.cost`), `#log`; `body[data-state]` is `idle`, `streaming`, `done`,
/// `stopped` or `error`. `/?autotest=1` runs a self-test (two questions on one thread, a third
/// stopped mid-stream, a fourth after it) and writes its findings as JSON into `#autotest` and
/// `body[data-autotest]` (`running`, `done` or `failed`).
public enum TryItPage {
    public static let html: String = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ThreadMeter – try it</title>
<style>
  :root { --bg:#0f1419; --panel:#182029; --line:#2a3643; --text:#e6edf3; --muted:#8b98a5;
          --input:#4aa3ff; --output:#f2a33a; --cost:#5fd38d; --bad:#ff6b6b; }
  * { box-sizing: border-box; }
  body { margin:0; font:14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; background:var(--bg); color:var(--text); }
  header { display:flex; flex-wrap:wrap; gap:12px; align-items:center; padding:12px 20px; border-bottom:1px solid var(--line); }
  header h1 { font-size:18px; margin:0 12px 0 0; }
  header a { color:var(--input); }
  #state { padding:2px 8px; border-radius:10px; background:var(--line); color:var(--muted); }
  body[data-state="streaming"] #state { background:#17395c; color:#cfe6ff; }
  body[data-state="done"] #state { background:#1f4d33; color:#bff0d2; }
  body[data-state="stopped"] #state { background:#4d3f1f; color:#ffe7b3; }
  body[data-state="error"] #state { background:#5a2327; color:#ffd1d1; }
  .spacer { margin-left:auto; }
  input, textarea, button { font:inherit; padding:5px 9px; border-radius:4px; border:1px solid var(--line); background:var(--panel); color:var(--text); }
  button { cursor:pointer; }
  button:disabled { opacity:.45; cursor:default; }
  button.primary { background:#1d4f80; border-color:#2b6cab; }
  main { padding:16px 20px; display:grid; gap:16px; grid-template-columns:minmax(420px, 3fr) minmax(360px, 2fr); }
  section { background:var(--panel); border:1px solid var(--line); border-radius:8px; padding:12px 16px; }
  h2 { font-size:13px; text-transform:uppercase; letter-spacing:.06em; color:var(--muted); margin:0 0 10px; }
  textarea { width:100%; min-height:70px; resize:vertical; }
  .row { display:flex; gap:8px; align-items:center; flex-wrap:wrap; margin-top:8px; }
  #answer { white-space:pre-wrap; min-height:120px; background:var(--bg); border:1px solid var(--line); border-radius:6px; padding:10px 12px; margin-top:10px; }
  .muted { color:var(--muted); }
  .id { font-family:ui-monospace, monospace; }
  table { width:100%; border-collapse:collapse; font-variant-numeric:tabular-nums; }
  th, td { text-align:left; padding:4px 6px; border-bottom:1px solid var(--line); white-space:nowrap; }
  th { color:var(--muted); font-weight:500; }
  td.num, th.num { text-align:right; }
  td.id { font-family:ui-monospace, monospace; max-width:170px; overflow:hidden; text-overflow:ellipsis; }
  tr.current td { background:#1b2a38; }
  dl { display:grid; grid-template-columns:auto 1fr; gap:2px 12px; margin:0; }
  dt { color:var(--muted); }
  dd { margin:0; font-variant-numeric:tabular-nums; }
  #log { font-family:ui-monospace, monospace; font-size:12px; color:var(--muted); max-height:160px; overflow:auto; white-space:pre-wrap; }
  #autotest { display:none; }
  body[data-autotest] #autotest { display:block; font-family:ui-monospace, monospace; font-size:12px; white-space:pre-wrap; }
</style>
</head>
<body data-state="idle">
<header>
  <h1>ThreadMeter – try it</h1>
  <span id="state">idle</span>
  <span class="spacer"></span>
  <input id="api-key" type="password" placeholder="API key (if API_KEYS is set)" aria-label="API key" autocomplete="off">
  <a href="/dashboard">Dashboard →</a>
</header>
<main>
  <section>
    <h2>Ask</h2>
    <textarea id="question" placeholder="What is the status of the Acme renewal?">What is the status of the Acme renewal?</textarea>
    <div class="row">
      <input id="account" placeholder="Account (optional)" aria-label="Account name">
      <button id="ask" class="primary">Ask</button>
      <button id="stop" disabled>Stop</button>
      <button id="new-thread">New thread</button>
      <span class="muted">thread: <span id="thread-id" class="id">new</span></span>
    </div>
    <div id="answer" aria-live="polite"><span class="muted">The answer streams here.</span></div>
  </section>
  <section>
    <h2>This run</h2>
    <dl>
      <dt>Before the run (thread_info)</dt><dd id="before">–</dd>
      <dt>Run usage (stream_complete)</dt><dd id="run-usage">–</dd>
      <dt>Thread total after it</dt><dd id="after">–</dd>
      <dt>Model · usage source</dt><dd id="model">–</dd>
      <dt>Estimated cost</dt><dd id="run-cost">–</dd>
    </dl>
    <h2 style="margin-top:16px">Threads on this page</h2>
    <table>
      <thead><tr><th>Thread</th><th class="num" title="runs completed on this page">Runs</th><th class="num">Input</th><th class="num">Output</th><th class="num">Total</th><th class="num">Cost (USD)</th></tr></thead>
      <tbody id="threads"><tr class="empty"><td colspan="6" class="muted">none yet</td></tr></tbody>
    </table>
    <p class="muted">Totals are the service's own numbers for each thread (from <code>stream_complete</code>); a stopped run is
      still counted by the service and shows up in the thread's next total.</p>
    <h2 style="margin-top:12px">Events</h2>
    <div id="log"></div>
  </section>
  <section id="autotest" style="grid-column:1 / -1"></section>
</main>
<script>
"use strict";
(function () {
  var KEY_STORAGE = "threadmeter.apiKey";
  var integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
  var threadId = "";
  var controller = null;
  var threads = {};

  function $(id) { return document.getElementById(id); }
  function setState(state) { document.body.setAttribute("data-state", state); $("state").textContent = state; }
  function log(text) { var line = document.createElement("div"); line.textContent = text; $("log").prepend(line); }
  function usageText(u) {
    if (!u) return "–";
    var text = integer.format(u.input_tokens) + " in · " + integer.format(u.output_tokens) + " out · " + integer.format(u.total_tokens) + " total";
    if (u.cached_input_tokens != null) text += " (" + integer.format(u.cached_input_tokens) + " cached";
    if (u.reasoning_tokens != null) text += ", " + integer.format(u.reasoning_tokens) + " reasoning)";
    else if (u.cached_input_tokens != null) text += ")";
    return text;
  }
  function costText(cost) { return cost == null ? "unknown" : "$" + cost.toFixed(6); }

  $("api-key").value = sessionStorage.getItem(KEY_STORAGE) || "";
  $("api-key").addEventListener("change", function () { sessionStorage.setItem(KEY_STORAGE, $("api-key").value.trim()); });

  function headers() {
    var h = { "Content-Type": "application/json", "Accept": "text/event-stream" };
    var key = ($("api-key").value || "").trim();
    if (key) h["Authorization"] = "Bearer " + key;
    return h;
  }

  function setThread(id) {
    threadId = id || "";
    $("thread-id").textContent = threadId || "new";
    var rows = $("threads").querySelectorAll("tr[data-thread-id]");
    for (var i = 0; i < rows.length; i++) rows[i].classList.toggle("current", rows[i].getAttribute("data-thread-id") === threadId);
  }

  function recordThread(event) {
    var t = threads[event.thread_id] || (threads[event.thread_id] = { runs: 0, cost: 0, costKnown: true });
    t.runs += 1;
    t.total = event.token_usage;
    if (event.estimated_cost_usd == null) t.costKnown = false; else t.cost += event.estimated_cost_usd;
    var body = $("threads");
    var empty = body.querySelector("tr.empty");
    if (empty) empty.remove();
    var row = body.querySelector('tr[data-thread-id="' + CSS.escape(event.thread_id) + '"]');
    if (!row) {
      row = document.createElement("tr");
      row.setAttribute("data-thread-id", event.thread_id);
      ["id", "runs num", "input num", "output num", "total num", "cost num"].forEach(function (c) {
        var td = document.createElement("td"); td.className = c; row.appendChild(td);
      });
      body.appendChild(row);
    }
    row.querySelector(".id").textContent = event.thread_id;
    row.querySelector(".runs").textContent = t.runs;
    row.querySelector(".input").textContent = integer.format(t.total.input_tokens);
    row.querySelector(".output").textContent = integer.format(t.total.output_tokens);
    row.querySelector(".total").textContent = integer.format(t.total.total_tokens);
    row.querySelector(".total").setAttribute("data-value", t.total.total_tokens);
    row.querySelector(".cost").textContent = t.costKnown ? t.cost.toFixed(6) : "≥ " + t.cost.toFixed(6);
    setThread(threadId);
  }

  // Reads `event:`/`data:` blocks from the SSE body as they arrive and calls onEvent(type, json).
  async function readEvents(response, onEvent) {
    var reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    var buffer = "";
    for (;;) {
      var chunk = await reader.read();
      if (chunk.done) break;
      buffer += chunk.value.replace(/\r\n/g, "\n");
      var end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        var block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        var type = "message", data = [];
        block.split("\n").forEach(function (line) {
          if (line.startsWith(":")) return;
          var colon = line.indexOf(":");
          var field = colon < 0 ? line : line.slice(0, colon);
          var value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
          if (field === "event") type = value;
          if (field === "data") data.push(value);
        });
        if (data.length) onEvent(type, JSON.parse(data.join("\n")));
      }
    }
  }

  // Asks `question` on the current thread; resolves with what happened.
  async function ask(question, options) {
    options = options || {};
    $("question").value = question;
    var result = { contents: 0, threadInfo: null, complete: null, error: null, stopped: false };
    controller = new AbortController();
    $("ask").disabled = true; $("stop").disabled = false;
    $("answer").textContent = "";
    ["before", "run-usage", "after", "model", "run-cost"].forEach(function (id) { $(id).textContent = "–"; });
    setState("streaming");
    var body = { query: question };
    if (threadId) body.threadId = threadId;
    var account = $("account").value.trim();
    if (account) body.accountName = account;
    try {
      var response = await fetch("/v1/query", { method: "POST", headers: headers(), body: JSON.stringify(body), signal: controller.signal });
      if (!response.ok) {
        var failure = await response.json().catch(function () { return {}; });
        result.error = (failure.error && failure.error.code) || ("http_" + response.status);
        throw new Error(result.error + ": " + ((failure.error && failure.error.message) || response.statusText));
      }
      await readEvents(response, function (type, event) {
        if (type === "thread_info") {
          result.threadInfo = event;
          setThread(event.thread_id);
          $("before").textContent = usageText(event.token_usage) + (event.new_thread ? " (new thread)" : "");
          log("thread_info " + event.thread_id + (event.new_thread ? " (new)" : ""));
        } else if (type === "content") {
          result.contents += 1;
          $("answer").append(document.createTextNode(event.content));
          if (options.onContent) options.onContent(result.contents);
        } else if (type === "stream_complete") {
          result.complete = event;
          $("run-usage").textContent = usageText(event.run_usage);
          $("after").textContent = usageText(event.token_usage);
          $("model").textContent = (event.model || "unknown") + " · " + event.usage_source;
          $("run-cost").textContent = costText(event.estimated_cost_usd);
          recordThread(event);
          log("stream_complete run " + event.run_id + ": " + event.run_usage.total_tokens + " tokens");
        } else if (type === "error") {
          result.error = event.error.code;
          log("error " + event.error.code + ": " + event.error.message);
        }
      });
      setState(result.error ? "error" : "done");
    } catch (error) {
      if (error.name === "AbortError") {
        result.stopped = true;
        setState("stopped");
        log("stopped: the service cancels the run upstream and still counts its usage");
      } else {
        setState("error");
        $("answer").textContent = String(error.message || error);
        log(String(error.message || error));
      }
    } finally {
      controller = null;
      $("ask").disabled = false; $("stop").disabled = true;
    }
    return result;
  }

  function stop() { if (controller) controller.abort(); }

  $("ask").addEventListener("click", function () {
    var question = $("question").value.trim();
    if (question) ask(question);
  });
  $("question").addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.metaKey || e.ctrlKey)) $("ask").click();
  });
  $("stop").addEventListener("click", stop);
  $("new-thread").addEventListener("click", function () { setThread(""); $("answer").textContent = ""; log("next question starts a new thread"); });

  // /?autotest=1: the page checks itself against the running service (used by ops/tryit-check.sh).
  async function autotest() {
    var out = $("autotest");
    document.body.setAttribute("data-autotest", "running");
    var report = { runs: [] };
    try {
      $("account").value = "Autotest";
      var first = await ask("What is the status of the Acme renewal?");
      var second = await ask("And the next steps?");
      var third = await ask("Tell me everything about the Globex pipeline, in detail.", { onContent: function (n) { if (n === 2) stop(); } });
      // The stopped run is settled by the service after the stream closed; give it a moment, then ask again.
      var statsBefore = null;
      for (var i = 0; i < 50; i++) {
        var probe = await fetch("/stats/threads/" + encodeURIComponent(threadId), { headers: headers() }).catch(function () { return null; });
        if (!probe || !probe.ok) break;
        statsBefore = await probe.json();
        if (statsBefore.runs >= 3) break;
        await new Promise(function (r) { setTimeout(r, 100); });
      }
      var fourth = await ask("Summarise what we discussed.");
      [first, second, third, fourth].forEach(function (r) {
        report.runs.push({
          thread_id: r.threadInfo && r.threadInfo.thread_id, new_thread: r.threadInfo && r.threadInfo.new_thread,
          contents: r.contents, stopped: r.stopped, error: r.error,
          before: r.threadInfo && r.threadInfo.token_usage, run_usage: r.complete && r.complete.run_usage,
          after: r.complete && r.complete.token_usage, cost: r.complete ? r.complete.estimated_cost_usd : null
        });
      });
      report.thread_id = threadId;
      report.runs_seen_by_stats_before_fourth = statsBefore ? statsBefore.runs : null;
      var row = $("threads").querySelector('tr[data-thread-id="' + CSS.escape(threadId) + '"]');
      report.shown_total = row ? Number(row.querySelector(".total").getAttribute("data-value")) : null;
      document.body.setAttribute("data-autotest", "done");
    } catch (error) {
      report.exception = String(error && error.message || error);
      document.body.setAttribute("data-autotest", "failed");
    }
    out.textContent = JSON.stringify(report);
  }
  if (/[?&]autotest=1(&|$)/.test(location.search)) autotest();
})();
</script>
</body>
</html>
"""#
}
