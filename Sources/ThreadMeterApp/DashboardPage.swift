// The operator dashboard served at GET /dashboard: one self-contained page, no data inside.

/// A single HTML page (inline CSS and JavaScript, no CDN, no build step) that asks for the admin
/// token, keeps it in `sessionStorage`, and every 5 seconds reads `/stats?limit=20`,
/// `/stats/usage?group_by=day`, `/metrics`, `/health` and `/admin/budgets` with `Authorization: Bearer <token>`.
///
/// It shows totals, the top threads, tokens and cost per day as an inline SVG chart, runs by
/// outcome and usage source, and upstream rate-limit headroom. A `#token=…` URL fragment is moved
/// into `sessionStorage` and removed from the address bar (used by headless checks). Stable element
/// ids: `#total-threads`, `#total-input`, `#total-output`, `#total-tokens`, `#total-cost` (each with
/// the raw number in `data-value`), `#top-threads`, `#usage-chart`, `#runs-by-outcome`,
/// `#runs-by-source`, `#ratelimit-requests`, `#ratelimit-tokens`, `#health-status`, `#last-refresh`,
/// `#budgets` (one row per budget with `data-budget="scope/key"`, `.warn` cells at `warn_at`);
/// `body[data-state]` is `loading`, `ok`, `unauthorized` or `error`, and `body[data-refreshes]`
/// counts completed refreshes. All data is inserted as text, never as markup.
public enum DashboardPage {
    public static let html: String = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ThreadMeter dashboard</title>
<style>
  :root { --bg:#0f1419; --panel:#182029; --line:#2a3643; --text:#e6edf3; --muted:#8b98a5;
          --input:#4aa3ff; --output:#f2a33a; --cost:#5fd38d; --bad:#ff6b6b; }
  * { box-sizing: border-box; }
  body { margin:0; font:14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; background:var(--bg); color:var(--text); }
  header { display:flex; flex-wrap:wrap; gap:12px; align-items:center; padding:12px 20px; border-bottom:1px solid var(--line); }
  header h1 { font-size:18px; margin:0 12px 0 0; }
  #status { padding:2px 8px; border-radius:10px; background:var(--line); color:var(--muted); }
  body[data-state="ok"] #status { background:#1f4d33; color:#bff0d2; }
  body[data-state="unauthorized"] #status, body[data-state="error"] #status { background:#5a2327; color:#ffd1d1; }
  #last-refresh { color:var(--muted); }
  form { margin-left:auto; display:flex; gap:6px; }
  input, button { font:inherit; padding:4px 8px; border-radius:4px; border:1px solid var(--line); background:var(--panel); color:var(--text); }
  button { cursor:pointer; }
  main { padding:16px 20px; display:grid; gap:16px; grid-template-columns:repeat(auto-fit, minmax(480px, 1fr)); }
  section { background:var(--panel); border:1px solid var(--line); border-radius:8px; padding:12px 16px; }
  section.wide { grid-column:1 / -1; }
  h2 { font-size:13px; text-transform:uppercase; letter-spacing:.06em; color:var(--muted); margin:0 0 10px; }
  .cards { display:grid; grid-template-columns:repeat(auto-fit, minmax(150px, 1fr)); gap:12px; }
  .card { background:var(--bg); border:1px solid var(--line); border-radius:6px; padding:10px 12px; }
  .card .label { color:var(--muted); font-size:12px; }
  .card .value { font-size:24px; font-variant-numeric:tabular-nums; margin-top:2px; }
  table { width:100%; border-collapse:collapse; font-variant-numeric:tabular-nums; }
  th, td { text-align:left; padding:4px 6px; border-bottom:1px solid var(--line); white-space:nowrap; }
  th { color:var(--muted); font-weight:500; }
  td.num, th.num { text-align:right; }
  td.warn { color:#b45309; font-weight:600; }
  td.id { font-family:ui-monospace, monospace; overflow:hidden; text-overflow:ellipsis; max-width:260px; }
  .muted { color:var(--muted); }
  .bar { height:10px; background:var(--bg); border:1px solid var(--line); border-radius:5px; overflow:hidden; margin:4px 0 10px; }
  .bar > div { height:100%; background:var(--cost); width:0; }
  .bar.low > div { background:var(--bad); }
  .legend span { margin-right:14px; }
  .legend i { display:inline-block; width:10px; height:10px; margin-right:4px; border-radius:2px; }
  #message { grid-column:1 / -1; display:none; background:#3a2a12; border-color:#6b4d1c; }
  #message.shown { display:block; }
  svg text { fill:var(--muted); font-size:11px; }
</style>
</head>
<body data-state="loading" data-refreshes="0">
<header>
  <h1>ThreadMeter</h1>
  <span id="status">loading</span>
  <span id="last-refresh"></span>
  <form id="token-form" autocomplete="off">
    <input id="token-input" type="password" placeholder="Admin token" aria-label="Admin token">
    <button type="submit">Use token</button>
    <button type="button" id="forget-token">Forget</button>
  </form>
</header>
<main>
  <section id="message"></section>
  <section class="wide">
    <h2>Totals (tracked threads)</h2>
    <div class="cards">
      <div class="card"><div class="label">Threads</div><div class="value" id="total-threads" data-value="">–</div></div>
      <div class="card"><div class="label">Input tokens</div><div class="value" id="total-input" data-value="">–</div></div>
      <div class="card"><div class="label">Output tokens</div><div class="value" id="total-output" data-value="">–</div></div>
      <div class="card"><div class="label">Total tokens</div><div class="value" id="total-tokens" data-value="">–</div></div>
      <div class="card"><div class="label">Estimated cost</div><div class="value" id="total-cost" data-value="">–</div></div>
      <div class="card"><div class="label">Open streams</div><div class="value" id="open-streams" data-value="">–</div></div>
      <div class="card"><div class="label">Health</div><div class="value" id="health-status">–</div><div class="label" id="health-detail"></div></div>
    </div>
  </section>
  <section class="wide">
    <h2>Tokens and cost per day</h2>
    <div class="legend"><span><i style="background:var(--input)"></i>input tokens</span><span><i style="background:var(--output)"></i>output tokens</span><span><i style="background:var(--cost)"></i>estimated cost (USD)</span></div>
    <div id="usage-chart"></div>
    <p class="muted" id="usage-note"></p>
  </section>
  <section class="wide">
    <h2>Top threads by tokens</h2>
    <table>
      <thead><tr><th>Thread</th><th>Account</th><th class="num">Input</th><th class="num">Output</th><th class="num">Total</th><th class="num">Runs</th><th class="num">Cost (USD)</th><th>Last activity</th></tr></thead>
      <tbody id="top-threads"><tr><td colspan="8" class="muted">no data yet</td></tr></tbody>
    </table>
  </section>
  <section class="wide">
    <h2>Budgets</h2>
    <table>
      <thead><tr><th>Scope</th><th>Key</th><th>Window</th><th class="num">Tokens used / max</th><th class="num">Cost used / max (USD)</th><th class="num">Unpriced runs</th><th>Resets</th></tr></thead>
      <tbody id="budgets"><tr><td colspan="7" class="muted">no data yet</td></tr></tbody>
    </table>
  </section>
  <section>
    <h2>Runs by outcome</h2>
    <table><thead><tr><th>Outcome</th><th class="num">Runs</th></tr></thead><tbody id="runs-by-outcome"></tbody></table>
    <h2 style="margin-top:14px">Runs by usage source</h2>
    <table><thead><tr><th>Usage source</th><th class="num">Runs</th><th class="num">Share</th></tr></thead><tbody id="runs-by-source"></tbody></table>
    <p class="muted" id="run-warnings"></p>
  </section>
  <section>
    <h2>Upstream rate-limit headroom</h2>
    <div id="ratelimit-requests" data-remaining="" data-limit=""><span class="muted">requests: no headers seen yet</span></div>
    <div id="ratelimit-tokens" data-remaining="" data-limit=""><span class="muted">tokens: no headers seen yet</span></div>
    <h2 style="margin-top:14px">Upstream errors</h2>
    <table><thead><tr><th>Kind</th><th class="num">Count</th></tr></thead><tbody id="upstream-errors"></tbody></table>
  </section>
</main>
<script>
"use strict";
(function () {
  var TOKEN_KEY = "threadmeter.adminToken";
  var REFRESH_MS = 5000;
  var integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
  var refreshes = 0;
  var timer = null;

  // A #token=… fragment is moved into sessionStorage and removed from the address bar.
  (function adoptFragmentToken() {
    var match = /(?:^#|&)token=([^&]*)/.exec(location.hash);
    if (match) {
      sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
      history.replaceState(null, "", location.pathname + location.search);
    }
  })();

  function token() { return sessionStorage.getItem(TOKEN_KEY) || ""; }
  function $(id) { return document.getElementById(id); }

  function setState(state, text) {
    document.body.setAttribute("data-state", state);
    $("status").textContent = text;
  }

  function showMessage(text) {
    var box = $("message");
    box.textContent = text || "";
    box.className = text ? "shown" : "";
  }

  function request(path, asText) {
    var headers = {};
    if (token()) { headers["Authorization"] = "Bearer " + token(); }
    return fetch(path, { headers: headers, cache: "no-store" }).then(function (response) {
      if (!response.ok) {
        var error = new Error(path + " answered " + response.status);
        error.status = response.status;
        throw error;
      }
      return asText ? response.text() : response.json();
    });
  }

  function setNumber(id, value, text) {
    var element = $(id);
    element.setAttribute("data-value", value === null || value === undefined ? "" : String(value));
    element.textContent = text !== undefined ? text : (typeof value === "number" ? integer.format(value) : "–");
  }

  function formatUSD(value) {
    if (typeof value !== "number" || !isFinite(value)) { return "–"; }
    if (value === 0) { return "$0.00"; }
    return "$" + (value < 0.01 ? value.toFixed(6) : value < 100 ? value.toFixed(4) : value.toFixed(2));
  }

  function ago(seconds) {
    if (typeof seconds !== "number") { return "–"; }
    var delta = Math.max(0, Date.now() / 1000 - seconds);
    if (delta < 60) { return Math.round(delta) + " s ago"; }
    if (delta < 3600) { return Math.round(delta / 60) + " min ago"; }
    if (delta < 86400) { return (delta / 3600).toFixed(1) + " h ago"; }
    return (delta / 86400).toFixed(1) + " d ago";
  }

  function cell(row, text, className, title) {
    var td = document.createElement("td");
    td.textContent = text;
    if (className) { td.className = className; }
    if (title) { td.title = title; }
    row.appendChild(td);
    return td;
  }

  function replaceRows(tbodyId, rows, emptyText, columns) {
    var tbody = $(tbodyId);
    while (tbody.firstChild) { tbody.removeChild(tbody.firstChild); }
    if (rows.length === 0) {
      var tr = document.createElement("tr");
      var td = cell(tr, emptyText, "muted");
      td.colSpan = columns;
      tbody.appendChild(tr);
    }
    rows.forEach(function (tr) { tbody.appendChild(tr); });
  }

  // ---- /admin/budgets: each budget with its use in the current window ----
  function renderBudgets(body) {
    var rows = (body.budgets || []).map(function (b) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-budget", b.scope + "/" + b.key);
      var used = function (u, max) { return max === null ? "–" : u + " / " + max; };
      var warn = function (u, max) { return max !== null && u >= (b.warn_at || 0.8) * max; };
      cell(tr, b.scope, "scope");
      cell(tr, b.key, "id", b.key);
      cell(tr, b.window, "window");
      cell(tr, used(integer.format(b.used_tokens || 0), b.max_tokens === null ? null : integer.format(b.max_tokens)),
           "num tokens" + (warn(b.used_tokens, b.max_tokens) ? " warn" : ""));
      cell(tr, used(formatUSD(b.used_usd), b.max_usd === null ? null : formatUSD(b.max_usd)),
           "num usd" + (warn(b.used_usd, b.max_usd) ? " warn" : ""));
      cell(tr, integer.format(b.unpriced_runs || 0), "num unpriced");
      cell(tr, typeof b.resets_at === "number" ? new Date(b.resets_at * 1000).toISOString() : "never", "resets");
      return tr;
    });
    replaceRows("budgets", rows, "no budgets (PUT /admin/budgets/{scope}/{key})", 7);
  }

  // ---- /stats ----
  function renderStats(body) {
    var s = body.statistics || {};
    setNumber("total-threads", s.total_threads);
    setNumber("total-input", s.total_input_tokens);
    setNumber("total-output", s.total_output_tokens);
    setNumber("total-tokens", s.total_tokens_across_all_threads);
    setNumber("total-cost", s.total_estimated_cost_usd, formatUSD(s.total_estimated_cost_usd));
    var threads = Object.keys(s.threads || {}).map(function (id) {
      var t = s.threads[id];
      return { id: id, t: t };
    }).sort(function (a, b) { return (b.t.total_tokens || 0) - (a.t.total_tokens || 0); });
    var rows = threads.map(function (entry) {
      var t = entry.t;
      var tr = document.createElement("tr");
      tr.setAttribute("data-thread-id", entry.id);
      cell(tr, entry.id, "id", entry.id);
      cell(tr, t.account || "–", "account");
      cell(tr, integer.format(t.input_tokens || 0), "num input");
      cell(tr, integer.format(t.output_tokens || 0), "num output");
      cell(tr, integer.format(t.total_tokens || 0), "num total");
      cell(tr, integer.format(t.runs || 0), "num runs");
      cell(tr, formatUSD(t.estimated_cost_usd), "num cost");
      cell(tr, ago(t.last_activity), "last", typeof t.last_activity === "number" ? new Date(t.last_activity * 1000).toISOString() : "");
      return tr;
    });
    replaceRows("top-threads", rows, "no tracked threads", 8);
    return s.upstream_rate_limits || {};
  }

  // ---- /metrics (Prometheus text) ----
  function parseMetrics(text) {
    var samples = [];
    text.split("\n").forEach(function (line) {
      if (!line || line.charAt(0) === "#") { return; }
      var match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
      if (!match) { return; }
      var labels = {};
      var pair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g, found;
      while ((found = pair.exec(match[2] || "")) !== null) {
        labels[found[1]] = found[2].replace(/\\(.)/g, function (_, c) { return c === "n" ? "\n" : c; });
      }
      samples.push({ name: match[1], labels: labels, value: parseFloat(match[3].replace("+Inf", "Infinity")) });
    });
    return samples;
  }

  function sumBy(samples, name, label) {
    var totals = {};
    samples.forEach(function (sample) {
      if (sample.name !== name) { return; }
      var key = label ? sample.labels[label] : "";
      totals[key] = (totals[key] || 0) + sample.value;
    });
    return totals;
  }

  function countRows(totals, withShare) {
    var all = Object.keys(totals).reduce(function (sum, key) { return sum + totals[key]; }, 0);
    return Object.keys(totals).sort(function (a, b) { return totals[b] - totals[a]; }).map(function (key) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-key", key);
      cell(tr, key);
      cell(tr, integer.format(totals[key]), "num count");
      if (withShare) { cell(tr, all > 0 ? (100 * totals[key] / all).toFixed(1) + " %" : "–", "num share"); }
      return tr;
    });
  }

  function renderMetrics(samples) {
    replaceRows("runs-by-outcome", countRows(sumBy(samples, "threadmeter_runs_total", "outcome"), false), "no runs yet", 2);
    replaceRows("runs-by-source", countRows(sumBy(samples, "threadmeter_runs_total", "usage_source"), true), "no runs yet", 3);
    replaceRows("upstream-errors", countRows(sumBy(samples, "threadmeter_upstream_errors_total", "kind"), false), "none", 2);
    var open = sumBy(samples, "threadmeter_open_streams")[""];
    setNumber("open-streams", open);
    var warnings = [];
    var unknown = sumBy(samples, "threadmeter_unknown_model_runs_total")[""] || 0;
    var storage = sumBy(samples, "threadmeter_storage_errors_total")[""] || 0;
    var dropped = sumBy(samples, "threadmeter_usage_events_dropped_total")[""] || 0;
    if (unknown) { warnings.push("runs of models without a price (cost not counted): " + integer.format(unknown)); }
    if (storage) { warnings.push("storage errors: " + integer.format(storage)); }
    if (dropped) { warnings.push("usage events not delivered to the webhook: " + integer.format(dropped)); }
    $("run-warnings").textContent = warnings.join(" · ");
    return {
      remaining: sumBy(samples, "threadmeter_upstream_ratelimit_remaining", "kind"),
      limit: sumBy(samples, "threadmeter_upstream_ratelimit_limit", "kind")
    };
  }

  // ---- rate limits: metrics gauges, else the raw headers in /stats ----
  function renderRateLimit(kind, remaining, limit) {
    var box = $("ratelimit-" + kind);
    while (box.firstChild) { box.removeChild(box.firstChild); }
    box.setAttribute("data-remaining", remaining === undefined ? "" : String(remaining));
    box.setAttribute("data-limit", limit === undefined ? "" : String(limit));
    var label = document.createElement("div");
    if (remaining === undefined) {
      label.className = "muted";
      label.textContent = kind + ": no headers seen yet";
      box.appendChild(label);
      return;
    }
    var share = limit ? remaining / limit : null;
    label.textContent = kind + ": " + integer.format(remaining) + (limit ? " of " + integer.format(limit) + " left (" + (100 * share).toFixed(1) + " %)" : " left");
    box.appendChild(label);
    if (share !== null) {
      var bar = document.createElement("div");
      bar.className = share < 0.1 ? "bar low" : "bar";
      var fill = document.createElement("div");
      fill.style.width = Math.max(0, Math.min(100, 100 * share)).toFixed(1) + "%";
      bar.appendChild(fill);
      box.appendChild(bar);
    }
  }

  function renderRateLimits(fromMetrics, headers) {
    ["requests", "tokens"].forEach(function (kind) {
      var remaining = fromMetrics ? fromMetrics.remaining[kind] : undefined;
      var limit = fromMetrics ? fromMetrics.limit[kind] : undefined;
      if (remaining === undefined && headers["x-ratelimit-remaining-" + kind] !== undefined) {
        remaining = parseFloat(headers["x-ratelimit-remaining-" + kind]);
      }
      if (limit === undefined && headers["x-ratelimit-limit-" + kind] !== undefined) {
        limit = parseFloat(headers["x-ratelimit-limit-" + kind]);
      }
      renderRateLimit(kind, isNaN(remaining) ? undefined : remaining, isNaN(limit) ? undefined : limit);
    });
  }

  // ---- /stats/usage?group_by=day as an SVG chart ----
  var SVG = "http://www.w3.org/2000/svg";
  function svg(name, attributes, parent) {
    var element = document.createElementNS(SVG, name);
    Object.keys(attributes).forEach(function (key) { element.setAttribute(key, attributes[key]); });
    if (parent) { parent.appendChild(element); }
    return element;
  }

  function renderUsage(body) {
    var chart = $("usage-chart");
    while (chart.firstChild) { chart.removeChild(chart.firstChild); }
    var buckets = (body && body.buckets ? body.buckets.slice() : []).sort(function (a, b) { return a.key < b.key ? -1 : a.key > b.key ? 1 : 0; }).slice(-30);
    if (buckets.length === 0) {
      $("usage-note").textContent = "No usage recorded in the history yet.";
      return;
    }
    var width = 960, height = 240, left = 64, right = 64, top = 12, bottom = 28;
    var plotW = width - left - right, plotH = height - top - bottom;
    var maxTokens = Math.max.apply(null, buckets.map(function (b) { return (b.input_tokens || 0) + (b.output_tokens || 0); }).concat([1]));
    var maxCost = Math.max.apply(null, buckets.map(function (b) { return b.estimated_cost_usd || 0; }).concat([0]));
    var root = svg("svg", { viewBox: "0 0 " + width + " " + height, width: "100%", role: "img", "aria-label": "tokens and cost per day" }, chart);
    svg("line", { x1: left, y1: top + plotH, x2: left + plotW, y2: top + plotH, stroke: "#2a3643" }, root);
    svg("text", { x: left - 6, y: top + 10, "text-anchor": "end" }, root).textContent = integer.format(maxTokens);
    svg("text", { x: left - 6, y: top + plotH, "text-anchor": "end" }, root).textContent = "0";
    if (maxCost > 0) {
      svg("text", { x: width - 2, y: top + 10, "text-anchor": "end" }, root).textContent = formatUSD(maxCost);
    }
    var slot = plotW / buckets.length, barW = Math.min(48, Math.max(2, slot * 0.6)), points = [];
    buckets.forEach(function (b, i) {
      var x = left + i * slot + (slot - barW) / 2;
      var inH = plotH * (b.input_tokens || 0) / maxTokens;
      var outH = plotH * (b.output_tokens || 0) / maxTokens;
      var group = svg("g", { "data-key": b.key }, root);
      svg("title", {}, group).textContent = b.key + ": " + integer.format(b.input_tokens || 0) + " input, " +
        integer.format(b.output_tokens || 0) + " output tokens, " + formatUSD(b.estimated_cost_usd) + ", " + integer.format(b.runs || 0) + " runs";
      svg("rect", { x: x, y: top + plotH - inH, width: barW, height: inH, fill: "#4aa3ff" }, group);
      svg("rect", { x: x, y: top + plotH - inH - outH, width: barW, height: outH, fill: "#f2a33a" }, group);
      if (buckets.length <= 12 || i % Math.ceil(buckets.length / 12) === 0) {
        svg("text", { x: x + barW / 2, y: height - 8, "text-anchor": "middle" }, root).textContent = String(b.key).slice(5) || String(b.key);
      }
      if (maxCost > 0) {
        points.push((x + barW / 2).toFixed(1) + "," + (top + plotH - plotH * (b.estimated_cost_usd || 0) / maxCost).toFixed(1));
      }
    });
    if (points.length > 0) {
      svg("polyline", { points: points.join(" "), fill: "none", stroke: "#5fd38d", "stroke-width": 2 }, root);
      points.forEach(function (p) {
        var xy = p.split(",");
        svg("circle", { cx: xy[0], cy: xy[1], r: 3, fill: "#5fd38d" }, root);
      });
    }
    $("usage-note").textContent = buckets.length + " day(s) from the usage ledger (all runs, including evicted threads).";
  }

  // ---- /health ----
  function renderHealth(body) {
    $("health-status").textContent = body.status || "–";
    $("health-detail").textContent = "storage " + (body.storage || "?") + " · upstream " + (body.upstream || "?");
  }

  function refresh() {
    clearTimeout(timer);
    var problems = [];
    var unauthorized = false;
    var loopbackOnly = false;
    function failed(what) {
      return function (error) {
        if (error.status === 401) { unauthorized = true; }
        else if (error.status === 403) { loopbackOnly = true; }
        else { problems.push(what + ": " + error.message); }
        return null;
      };
    }
    var stats = request("/stats?limit=20").catch(failed("stats"));
    // The history endpoint may be absent (404): the rest of the page works without it.
    var usage = request("/stats/usage?group_by=day").then(function (body) { return { body: body }; }, function (error) {
      if (error.status === 401) { unauthorized = true; return null; }
      if (error.status === 403) { loopbackOnly = true; return null; }
      $("usage-note").textContent = error.status === 404 ? "Usage history is not available on this server." : "Usage history unavailable: " + error.message;
      return null;
    });
    var metrics = request("/metrics", true).catch(failed("metrics"));
    var health = request("/health").catch(function (error) {
      $("health-status").textContent = error.status === 503 ? "unhealthy" : "unreachable";
      return null;
    });
    var budgets = request("/admin/budgets").catch(failed("budgets"));
    Promise.all([stats, usage, metrics, health, budgets]).then(function (results) {
      var headers = results[0] ? renderStats(results[0]) : {};
      if (results[1]) { renderUsage(results[1].body); }
      var fromMetrics = results[2] !== null ? renderMetrics(parseMetrics(results[2])) : null;
      renderRateLimits(fromMetrics, headers);
      if (results[3]) { renderHealth(results[3]); }
      if (results[4]) { renderBudgets(results[4]); }
      if (unauthorized) {
        setState("unauthorized", token() ? "token refused" : "token required");
        showMessage(token() ? "The admin token was refused (401). Enter the current ADMIN_TOKEN." : "This server requires the admin token (ADMIN_TOKEN). Enter it above; it is kept for this browser tab only.");
        $("token-input").focus();
      } else if (loopbackOnly) {
        setState("unauthorized", "loopback only");
        showMessage("Without ADMIN_TOKEN this server shows usage only to clients on the same machine. Set ADMIN_TOKEN on the server and enter it above.");
      } else if (problems.length) {
        setState("error", "partial data");
        showMessage(problems.join(" · "));
      } else {
        setState("ok", "live");
        showMessage("");
      }
      refreshes += 1;
      document.body.setAttribute("data-refreshes", String(refreshes));
      $("last-refresh").textContent = "updated " + new Date().toLocaleTimeString();
    }).catch(function (error) {
      setState("error", "error");
      showMessage("Dashboard error: " + error.message);
    }).then(function () {
      timer = setTimeout(refresh, REFRESH_MS);
    });
  }

  $("token-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var value = $("token-input").value.trim();
    if (value) { sessionStorage.setItem(TOKEN_KEY, value); }
    $("token-input").value = "";
    refresh();
  });
  $("forget-token").addEventListener("click", function () {
    sessionStorage.removeItem(TOKEN_KEY);
    refresh();
  });
  refresh();
})();
</script>
</body>
</html>
"""#
}
