// The Tern console: each page subscribes to its live view (server-sent events from
// /events/VIEW) and draws it again whenever the scheduler's answer changes. No framework; uPlot
// draws the time series. Everything shown is escaped.
"use strict";
(function () {
  const app = document.getElementById("app");
  if (!app) return;
  const view = app.dataset.view;
  const csrf = document.querySelector('meta[name="tern-csrf"]').content;
  const live = document.getElementById("live");
  const canDrain = (document.querySelector('meta[name="tern-can-drain"]') || {}).content === "true";
  const charts = [];

  const esc = (s) => String(s == null ? "" : s).replace(/[&<>"']/g, (c) =>
    ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  const usd = (x) => "$" + Number(x || 0).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const num = (x, d) => Number(x || 0).toLocaleString("en-US", { maximumFractionDigits: d == null ? 1 : d });
  const ts = (s) => (typeof s === "string" ? Date.parse(s) / 1000 : Number(s || 0));
  const when = (s) => { const t = ts(s); return t > 0 ? new Date(t * 1000).toISOString().replace("T", " ").slice(0, 19) + " UTC" : "–"; };
  const ago = (secs) => { secs = Math.max(0, Math.round(secs)); if (secs < 60) return secs + " s";
    if (secs < 3600) return Math.floor(secs / 60) + " min"; if (secs < 86400) return num(secs / 3600, 1) + " h"; return num(secs / 86400, 1) + " d"; };
  const short = (s, p) => String(s || "").replace(p, "");
  const badge = (s) => `<span class="badge ${esc(s)}">${esc(String(s).replace("_", "-").toLowerCase())}</span>`;
  const empty = (title, what) => `<div class="empty"><h2>${esc(title)}</h2><p>${what}</p></div>`;

  async function post(url) {
    const r = await fetch(url, { method: "POST", headers: { "X-Tern-Csrf": csrf } });
    const body = await r.json().catch(() => ({}));
    if (!r.ok) alert(body.error || r.statusText);
    return r.ok;
  }

  function subscribe(name, params, draw) {
    const q = new URLSearchParams(params).toString();
    const source = new EventSource("/events/" + name + (q ? "?" + q : ""));
    source.addEventListener("data", (e) => { live.classList.add("on"); draw(JSON.parse(e.data)); });
    source.addEventListener("failure", (e) => {
      const f = JSON.parse(e.data);
      if (f.status === 401) { location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search); return; }
      app.innerHTML = `<div class="empty"><h2 class="error" id="failure">${esc(f.error)}</h2></div>`;
      source.close();
    });
    source.onerror = () => live.classList.remove("on");
    return source;
  }

  // ---- Jobs ----
  function jobs() {
    const params = Object.fromEntries(new URLSearchParams(location.search));
    subscribe("jobs", params, (d) => {
      const opt = (list, sel) => ['<option value="">all</option>'].concat(list.map((v) =>
        `<option${v === sel ? " selected" : ""}>${esc(v)}</option>`)).join("");
      const states = ["PENDING", "HELD", "STARTING", "RUNNING", "CHECKPOINTING", "LOST", "SUCCEEDED", "FAILED", "CANCELLED"];
      const rows = d.jobs.map((j) => `<tr data-job="${esc(j.id)}"><td><a href="/jobs/${encodeURIComponent(j.id)}">${esc(j.id)}</a></td>
        <td>${esc(j.name)}</td><td>${esc(j.team)}</td><td>${esc(j.owner)}</td><td class="state">${badge(j.state)}</td>
        <td class="num">${j.gpus}</td><td>${j.capacity ? badge(j.capacity) : ""}</td><td>${esc(j.nodes || "")}</td>
        <td class="num">${usd(j.costUsd)}</td><td>${when(j.submittedAt)}</td><td class="wrap muted">${esc(j.reason)}</td></tr>`).join("");
      const filters = `<form class="filters" id="filters">
        <label>Team<select name="team">${opt(d.teams, params.team)}</select></label>
        <label>State<select name="state">${opt(states, (params.state || "").toUpperCase())}</select></label>
        <label>Owner<select name="owner">${opt(d.owners, params.owner)}</select></label></form>`;
      // The filters are drawn again only when their choices change, so an open list stays open.
      if (!document.getElementById("filters") || app.dataset.filters !== filters) {
        app.innerHTML = `<h1>Jobs</h1>${filters}<div id="job-table"></div>`;
        app.dataset.filters = filters;
        document.querySelectorAll("#filters select").forEach((s) => s.addEventListener("change", () => {
          const f = new URLSearchParams(new FormData(document.getElementById("filters")));
          [...f.keys()].forEach((k) => { if (!f.get(k)) f.delete(k); });
          location.search = f.toString();
        }));
      }
      document.getElementById("job-table").innerHTML = d.jobs.length === 0
        ? empty("No jobs here yet", "Submit one with <code>tern submit job.yaml</code>, or clear the filters.")
        : `<table id="jobs"><thead><tr><th>Job</th><th>Name</th><th>Team</th><th>Owner</th><th>State</th><th class="num">GPUs</th>
        <th>Capacity</th><th>Nodes</th><th class="num">Cost</th><th>Submitted</th><th>Why</th></tr></thead><tbody>${rows}</tbody></table>`
        + (d.truncated ? '<p class="muted">The newest 1,000 jobs; filter to see others.</p>' : "");
    });
  }

  // ---- One job ----
  function job() {
    const id = app.dataset.id;
    app.innerHTML = `<div id="job-body"></div><h2>Logs</h2><pre class="logs" id="logs"></pre>`;
    const body = document.getElementById("job-body");
    const logs = document.getElementById("logs");
    const logSource = new EventSource("/events/logs?id=" + encodeURIComponent(id));
    logSource.addEventListener("log", (e) => { const c = JSON.parse(e.data); logs.textContent += c.text; logs.scrollTop = logs.scrollHeight; });
    logSource.addEventListener("end", () => { logs.textContent += "\n— the job ended —\n"; logSource.close(); });
    logSource.addEventListener("failure", (e) => { logs.textContent += "\n" + JSON.parse(e.data).error + "\n"; logSource.close(); });
    subscribe("job", { id }, (d) => {
      const j = d.job, spec = j.spec, state = short(j.state, "JOB_STATE_");
      const ended = ["SUCCEEDED", "FAILED", "CANCELLED"].includes(state);
      const start = ts(j.submittedAt);
      const end = ended ? Math.max(start + 1, ...j.attempts.map((a) => ts(a.endedAt))) : d.now;
      const span = Math.max(1, end - start);
      const segs = j.attempts.map((a) => {
        const from = ts(a.startedAt) || ts(a.placedAt) || start, to = ts(a.endedAt) || d.now;
        const cap = short(a.capacityType, "CAPACITY_TYPE_");
        return `<div class="seg ${esc(cap)}" title="attempt ${a.number}: ${esc(a.endReason || "running")}" style="left:${(100 * (from - start) / span).toFixed(2)}%;width:${Math.max(0.5, 100 * (to - from) / span).toFixed(2)}%">#${a.number} ${esc(a.nodeIds.join(","))}</div>`;
      }).join("");
      const attempts = j.attempts.map((a) => `<tr><td class="num">${a.number}</td><td>${esc(a.nodeIds.join(", "))}</td>
        <td>${badge(short(a.capacityType, "CAPACITY_TYPE_"))}</td><td>${when(a.startedAt || a.placedAt)}</td><td>${a.endedAt ? when(a.endedAt) : "–"}</td>
        <td class="wrap">${esc(a.endReason)}${a.reclaimed && !/reclaim/.test(a.endReason) ? " (spot reclaim)" : ""}</td><td>${esc((a.lastCheckpoint && a.lastCheckpoint.name) || "")}</td></tr>`).join("");
      const reasons = (d.explain.reasons || []).map((r) => `<li>${esc(r.message)}${r.nodeCount ? ` (${r.nodeCount} nodes)` : ""}</li>`).join("");
      body.innerHTML = `<h1>${esc(j.id)} <span class="muted">${esc(spec.name)}</span> <span id="job-state">${badge(state)}</span></h1>
        <div class="grid"><div class="stat"><div class="label">Team</div><div class="value">${esc(spec.team)}</div></div>
        <div class="stat"><div class="label">Owner</div><div class="value">${esc(j.owner)}</div></div>
        <div class="stat"><div class="label">Cost so far</div><div class="value" id="job-cost">${usd(j.costUsd)}</div></div>
        <div class="stat"><div class="label">GPUs</div><div class="value">${spec.resources ? spec.resources.gpus * Math.max(1, spec.resources.nodes) : 0}</div></div>
        <div class="stat"><div class="label">Attempts</div><div class="value">${j.attempts.length}</div></div></div>
        <div class="card"><b>Explain:</b> <span id="explain">${esc(d.explain.summary)}</span>${reasons ? `<ul>${reasons}</ul>` : ""}
        ${ended ? "" : ` <button class="action danger" id="cancel">Cancel job</button>`}</div>
        <h2>Attempts</h2><div class="timeline">${segs}</div><div class="axis"><span>${when(start)}</span><span>${ended ? when(end) : "now"}</span></div>
        ${j.attempts.length ? `<table><thead><tr><th class="num">#</th><th>Nodes</th><th>Capacity</th><th>Started</th><th>Ended</th><th>Why it ended</th><th>Checkpoint</th></tr></thead><tbody>${attempts}</tbody></table>` : empty("Not placed yet", esc(d.explain.summary))}
        <h2>GPU utilization and memory</h2><div id="gpu-chart"></div>`;
      const cancel = document.getElementById("cancel");
      if (cancel) cancel.onclick = async () => { if (confirm("Cancel " + j.id + "?")) { cancel.disabled = true; await post(`/api/jobs/${encodeURIComponent(j.id)}/cancel`); } };
      drawGpus(d.gpus);
    });
  }

  function drawGpus(gpus) {
    const el = document.getElementById("gpu-chart");
    charts.splice(0).forEach((c) => c.destroy());
    if (!gpus.length || !gpus.some((g) => g.at.length > 1)) {
      el.innerHTML = empty("No GPU samples yet", "The scheduler samples every GPU every 10 s while the job runs; samples are kept for 30 minutes.");
      return;
    }
    const at = gpus.reduce((a, g) => (g.at.length > a.length ? g.at : a), []);
    const data = [at];
    const series = [{}];
    const colors = ["#2f6fed", "#7a5af8", "#12805c", "#b54708", "#c0362c", "#0e9384", "#dd2590", "#475467"];
    gpus.forEach((g, i) => {
      const pad = (v) => Array(at.length - v.length).fill(null).concat(v);
      data.push(pad(g.utilization)); series.push({ label: `${g.node}/${g.gpu} util %`, stroke: colors[i % 8], width: 2 });
      data.push(pad(g.memory)); series.push({ label: `${g.node}/${g.gpu} mem %`, stroke: colors[i % 8], dash: [4, 4] });
    });
    charts.push(new uPlot({ width: Math.min(1300, el.clientWidth || 1000), height: 220, series,
      scales: { y: { range: [0, 100] } }, axes: [{}, { values: (u, v) => v.map((x) => x + "%"), incrs: [10, 20, 25, 50] }] }, data, el));
  }

  // ---- Queue ----
  function queue() {
    subscribe("queue", Object.fromEntries(new URLSearchParams(location.search)), (d) => {
      const rows = (d.entries || []).map((e, i) => `<tr><td class="num">${i + 1}</td><td>${e.jobId ? `<a href="/jobs/${encodeURIComponent(e.jobId)}">${esc(e.jobId)}</a>` : '<span class="muted">another team\'s job</span>'}</td>
        <td>${esc(e.name)}</td><td>${esc(e.team)}</td><td>${badge(short(e.priority, "PRIORITY_"))}</td><td>${badge(short(e.state, "JOB_STATE_"))}</td>
        <td class="num">${e.gpus}</td><td class="num">${ago(Number(e.waitingSeconds))}</td><td class="wrap">${esc(e.reason)}</td></tr>`).join("");
      app.innerHTML = `<h1>Queue <span class="muted">${num(d.total, 0)} waiting</span></h1>` + (rows ? `<table id="queue"><thead><tr><th class="num">#</th><th>Job</th><th>Name</th>
        <th>Team</th><th>Priority</th><th>State</th><th class="num">GPUs</th><th class="num">Waiting</th><th>Reason</th></tr></thead><tbody>${rows}</tbody></table>`
        : empty("Nothing is waiting", "Every queued job has been placed. New jobs show here, in scheduling order, with why they wait."));
    });
  }

  // ---- Nodes ----
  function heat(p) { const t = Math.max(0, Math.min(100, p)) / 100; const l = 88 - t * 66; return `hsl(222, 80%, ${l}%)`; }
  function nodes() {
    subscribe("nodes", {}, (d) => {
      const list = d.nodes || [];
      const gpus = list.reduce((n, x) => n + x.gpus.length, 0);
      const busy = list.reduce((n, x) => n + x.gpus.filter((g) => g.utilizationPercent > 0).length, 0);
      const rows = list.map((n) => {
        const state = short(n.state, "NODE_STATE_");
        const cells = n.gpus.map((g) => { const mem = g.memoryTotalMib > 0 ? Math.round(100 * g.memoryUsedMib / g.memoryTotalMib) : 0;
          const bad = short(g.health, "GPU_HEALTH_") !== "OK";
          return `<div class="cell${bad ? " bad" : ""}" style="background:${heat(g.utilizationPercent)};color:${g.utilizationPercent > 45 ? "#fff" : "#101828"}" title="GPU ${g.index} ${esc(g.model)}: ${g.utilizationPercent}% busy, ${num(g.memoryUsedMib / 1024)} of ${num(g.memoryTotalMib / 1024)} GiB, ${g.temperatureC} °C, ${esc(short(g.health, "GPU_HEALTH_"))}"><b>${g.utilizationPercent}</b><span>${mem}%</span></div>`; }).join("");
        const reclaim = n.reclaimAt ? `<span class="badge FAILED">spot notice: reclaim ${when(n.reclaimAt)}</span>` : "";
        const drainBtn = !canDrain ? "" : n.drained ? `<button class="action" data-undrain="${esc(n.id)}">Undrain</button>`
          : `<button class="action danger" data-drain="${esc(n.id)}">Drain</button> <button class="action danger" data-evacuate="${esc(n.id)}" title="checkpoint its jobs and resume them elsewhere">Drain + move jobs</button>`;
        return `<tr data-node="${esc(n.id)}"><td><b>${esc(n.id)}</b><div class="muted">${esc(n.pool)}</div></td><td class="state">${badge(state)} ${reclaim}</td>
          <td>${badge(short(n.capacityType, "CAPACITY_TYPE_"))}</td><td class="num">${usd(n.pricePerHourUsd)}/h</td><td><div class="heat">${cells}</div></td>
          <td class="wrap">${(n.jobIds || []).map((j) => `<a href="/jobs/${encodeURIComponent(j)}">${esc(j)}</a>`).join(" ")}</td><td>${when(n.lastHeartbeat)}</td><td>${drainBtn}</td></tr>`;
      }).join("");
      app.innerHTML = `<h1>Nodes</h1><div class="grid"><div class="stat"><div class="label">Nodes</div><div class="value">${list.length}</div></div>
        <div class="stat"><div class="label">GPUs</div><div class="value">${gpus}</div></div><div class="stat"><div class="label">GPUs busy</div><div class="value">${busy}</div></div>
        <div class="stat"><div class="label">Spend rate</div><div class="value">${usd(list.reduce((s, n) => s + n.pricePerHourUsd, 0))}/h</div></div></div>` +
        (list.length === 0 ? empty("No nodes yet", "Start an agent: <code>tern agent --scheduler HOST:PORT --node-id gpu-1 --gpus nvml</code>.") :
        `<div class="legend">GPU utilization <span>0%</span><span class="swatch"></span><span>100%</span> · each cell: utilization, memory used · red outline: unhealthy</div>
        <table id="nodes"><thead><tr><th>Node</th><th>State</th><th>Capacity</th><th class="num">Price</th><th>GPUs</th><th>Jobs</th><th>Heartbeat</th><th></th></tr></thead><tbody>${rows}</tbody></table>`);
      app.querySelectorAll("[data-drain]").forEach((b) => b.onclick = () => { if (confirm("Drain " + b.dataset.drain + "? Its jobs run on; no new ones start.")) { b.disabled = true; post(`/api/nodes/${encodeURIComponent(b.dataset.drain)}/drain`); } });
      app.querySelectorAll("[data-evacuate]").forEach((b) => b.onclick = () => { if (confirm("Drain " + b.dataset.evacuate + " and move its jobs? Each checkpoints and resumes elsewhere from that checkpoint.")) { b.disabled = true; post(`/api/nodes/${encodeURIComponent(b.dataset.evacuate)}/drain?checkpoint=true`); } });
      app.querySelectorAll("[data-undrain]").forEach((b) => b.onclick = () => { b.disabled = true; post(`/api/nodes/${encodeURIComponent(b.dataset.undrain)}/undrain`); });
    });
  }

  // ---- Cost ----
  function cost() {
    const params = Object.fromEntries(new URLSearchParams(location.search));
    const days = params.days || "14";
    subscribe("cost", { days }, (d) => {
      const t = d.report.total || {};
      const lines = (d.report.teams || []).map((l) => `<tr data-team="${esc(l.key)}"><td>${esc(l.key)}</td><td class="num">${num(l.gpuHours, 2)}</td><td class="num">${usd(l.spotUsd)}</td>
        <td class="num">${usd(l.onDemandUsd)}</td><td class="num team-total">${usd(l.spotUsd + l.onDemandUsd)}</td><td class="num">${num(l.idleGpuHours, 2)}</td><td class="num">${num(l.lostGpuHours, 2)}</td>
        <td class="num">${usd(l.onDemandPremiumUsd)}</td><td class="num">${usd(l.spotSavingUsd)}</td></tr>`).join("");
      const budgets = d.budgets ? (d.budgets.budgets || []).map((b) => { const used = b.monthlyUsd > 0 ? b.spentMonthUsd / b.monthlyUsd : 0;
        return `<tr><td>${esc(b.team)}</td><td class="num">${usd(b.spentMonthUsd)} of ${usd(b.monthlyUsd)}</td><td><div class="bar"><div class="${used >= 1 ? "hard" : used >= b.softAt ? "soft" : ""}" style="width:${Math.min(100, 100 * used).toFixed(1)}%"></div></div></td>
        <td>${esc(b.status)}</td></tr>`; }).join("") : null;
      app.innerHTML = `<h1>Cost <span class="muted">last ${esc(days)} days (UTC)</span> <a href="/api/cost.csv?days=${encodeURIComponent(days)}" id="csv" class="action">Download CSV</a></h1>
        <div class="grid"><div class="stat"><div class="label">Total</div><div class="value" id="total-cost">${usd(t.spotUsd + t.onDemandUsd)}</div></div>
        <div class="stat"><div class="label">Spot</div><div class="value">${usd(t.spotUsd)}</div></div><div class="stat"><div class="label">On-demand</div><div class="value">${usd(t.onDemandUsd)}</div></div>
        <div class="stat"><div class="label">Saved vs all on-demand</div><div class="value">${usd(t.spotSavingUsd)}</div></div>
        <div class="stat"><div class="label">Idle GPU-hours</div><div class="value">${num(t.idleGpuHours, 2)}</div></div><div class="stat"><div class="label">Work lost (GPU-h)</div><div class="value">${num(t.lostGpuHours, 2)}</div></div></div>` +
        (lines ? `<div class="card"><div id="cost-chart"></div></div><h2>By team: spend and waste</h2><table id="cost"><thead><tr><th>Team</th><th class="num">GPU-h</th><th class="num">Spot</th><th class="num">On-demand</th>
          <th class="num">Total</th><th class="num">Idle GPU-h</th><th class="num">Lost GPU-h</th><th class="num">On-demand premium</th><th class="num">Spot saving</th></tr></thead><tbody>${lines}</tbody></table>`
          : empty("No spend yet", "Costs appear here as soon as jobs run; they come from the scheduler's durable ledger.")) +
        (budgets === null ? "" : `<h2>Budgets this month</h2>` + (budgets ? `<table><thead><tr><th>Team</th><th class="num">Spent</th><th>Burn-down</th><th>Status</th></tr></thead><tbody>${budgets}</tbody></table>`
          : empty("No budgets", "Set one with <code>tern budget set --team TEAM --monthly-usd 5000 --soft-at 80%</code>.")));
      if (lines) drawCost(d);
    });
  }

  function drawCost(d) {
    const el = document.getElementById("cost-chart");
    charts.splice(0).forEach((c) => c.destroy());
    const colors = ["#2f6fed", "#7a5af8", "#12805c", "#b54708", "#c0362c", "#0e9384", "#dd2590", "#475467"];
    const data = [d.days], series = [{}];
    d.teams.forEach((t, i) => {
      data.push(t.spotUsd); series.push({ label: t.team + " spot", stroke: colors[i % 8], width: 2, value: (u, v) => v == null ? "–" : usd(v) });
      data.push(t.onDemandUsd); series.push({ label: t.team + " on-demand", stroke: colors[i % 8], dash: [5, 4], width: 2, value: (u, v) => v == null ? "–" : usd(v) });
    });
    // One day alone would make a zero-width x range, which uPlot stretches over years.
    const x = d.days.length > 1 ? {} : { range: (u, min, max) => [min - 43200, max + 43200] };
    charts.push(new uPlot({ width: Math.min(1300, el.clientWidth || 1000), height: 260, series, scales: { x },
      axes: [{ space: 60 }, { values: (u, v) => { const cents = Math.max(...v) < 10;
        return v.map((x) => "$" + x.toLocaleString("en-US", { minimumFractionDigits: cents ? 2 : 0, maximumFractionDigits: cents ? 2 : 0 })); }, size: 70 }] }, data, el));
  }

  // ---- Off-peak ----
  // Seconds to add to a UTC instant for the wall clock of `zone` at that instant.
  function zoneOffset(zone, t) {
    const f = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });
    const p = Object.fromEntries(f.formatToParts(new Date(t * 1000)).map((x) => [x.type, x.value]));
    return Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second) / 1000 - t;
  }
  // An instant on the wall clock of `zone`, e.g. "Mon 2026-12-07 20:00 Europe/Berlin".
  function inZone(s, zone) {
    const t = ts(s);
    if (!(t > 0)) return "–";
    const p = Object.fromEntries(new Intl.DateTimeFormat("en-GB", { timeZone: zone, hourCycle: "h23", weekday: "short", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" })
      .formatToParts(new Date(t * 1000)).map((x) => [x.type, x.value]));
    return `${p.weekday} ${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute} ${esc(zone)}`;
  }
  function offpeak() {
    const params = new URLSearchParams(location.search);
    subscribe("offpeak", {}, (d) => {
      const windows = d.windows || [];
      const rows = windows.map((w) => `<tr><td><b>${esc(w.name)}</b></td><td><code>${esc(w.cron)}</code></td><td>${esc(w.timeZone)}</td><td>${ago(parseFloat(w.duration))}</td>
        <td>${w.openNow ? '<span class="badge RUNNING">open now</span>' : '<span class="badge">closed</span>'}</td><td>${inZone(w.nextOpen, w.timeZone)}</td></tr>`).join("");
      const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
      const zones = [...new Set(windows.map((w) => w.timeZone).concat([browserZone, "UTC"]))];
      const zone = zones.includes(params.get("tz")) ? params.get("tz") : zones[0];
      // The week (Monday 00:00 to Monday 00:00) on the wall clock of `zone`.
      const off = zoneOffset(zone, d.now), localNow = d.now + off;
      const monday = Math.floor(localNow / 86400) * 86400 - ((new Date(localNow * 1000).getUTCDay() + 6) % 7) * 86400;
      const weekStart = monday - zoneOffset(zone, monday - off);
      const days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
      let grid = '<div class="week"><div></div>' + days.map((x, i) => `<div class="day">${x} ${new Date((monday + i * 86400) * 1000).toISOString().slice(5, 10)}</div>`).join("");
      for (let h = 0; h < 24; h++) {
        grid += `<div class="hour">${String(h).padStart(2, "0")}:00</div>`;
        for (let day = 0; day < 7; day++) {
          const from = weekStart + day * 86400 + h * 3600, to = from + 3600;
          const open = d.openings.filter((o) => o.from < to && o.to > from).map((o) => o.name);
          const now = d.now >= from && d.now < to;
          grid += `<div class="slot${open.length ? " open" : ""}${now ? " now" : ""}" title="${esc(open.join(", ") || "closed")}"></div>`;
        }
      }
      grid += "</div>";
      const picker = `<select id="tz">${zones.map((z) => `<option${z === zone ? " selected" : ""}>${esc(z)}</option>`).join("")}</select>`;
      app.innerHTML = `<h1>Off-peak windows</h1>` + (windows.length ? `<table id="offpeak"><thead><tr><th>Window</th><th>Cron</th><th>Time zone</th><th>Lasts</th><th>Now</th><th>Next opening</th></tr></thead><tbody>${rows}</tbody></table>
        <h2>This week in <span id="zone">${esc(zone)}</span> hours ${picker} <span class="muted">(red: now)</span></h2><div class="card">${grid}</div>`
        : empty("No off-peak windows", "FinOps sets one with <code>tern offpeak set nights --cron \"0 0 20 ? * MON-FRI\" --duration 11h --tz Europe/Berlin</code>."));
      const tz = document.getElementById("tz");
      if (tz) tz.onchange = () => { params.set("tz", tz.value); location.search = params.toString(); };
    });
  }

  // ---- Simulations ----
  const runState = (r) => r.state === "RUNNING" ? `${badge("RUNNING")} <span class="muted" title="${esc(r.phase)}">${Math.round(100 * r.fraction)}% done</span>`
    : r.state === "WAITING" ? badge("PENDING") + ' <span class="muted">waiting</span>' : badge(r.state === "DONE" ? "SUCCEEDED" : "FAILED");
  function simulations() {
    app.innerHTML = `<h1>Simulations</h1><div id="sim-form"></div><h2>Runs</h2><div id="sim-runs"></div>`;
    const form = document.getElementById("sim-form"), list = document.getElementById("sim-runs");
    subscribe("simulations", {}, (d) => {
      if (!d.available) {
        form.innerHTML = empty("This scheduler runs no simulations", "Run one from a shell: <code>tern simulate --jobs trace.csv --spot DIR --report out.html</code>.");
      } else if (!document.getElementById("simulate")) {
        const opts = (l) => l.map((c, i) => `<option value="${esc(c.id)}"${i === 0 ? " selected" : ""}>${esc(c.label)}</option>`).join("");
        const checks = d.catalog.policies.map((p) => `<label class="check" title="${esc(p.label)}"><input type="checkbox" name="policies" value="${esc(p.id)}" checked> ${esc(p.id)}</label>`).join("");
        form.innerHTML = `<form class="card sim" id="simulate">
          <label>Job trace<select name="trace" id="sim-trace">${opts(d.catalog.traces)}<option value="">upload a trace…</option></select></label>
          <label id="sim-upload" hidden>Trace file (native CSV, up to 32 MiB)<input type="file" name="file" accept=".csv,text/csv"></label>
          <label>Spot availability<select name="spot" id="sim-spot">${opts(d.catalog.spotSets)}</select></label>
          <label>Seed<input name="seed" id="sim-seed" type="number" value="1" min="0"></label>
          <fieldset><legend>Policies (on-demand is always the baseline)</legend>${checks}</fieldset>
          <div><button type="submit" class="action primary" id="sim-run">Run simulation</button> <span class="muted">Replays the trace through the scheduler's own placement code, as <code>tern simulate</code> does.</span></div>
          <p class="error" id="sim-error"></p></form>`;
        const f = document.getElementById("simulate");
        document.getElementById("sim-trace").onchange = (e) => { document.getElementById("sim-upload").hidden = e.target.value !== ""; };
        f.onsubmit = async (e) => {
          e.preventDefault();
          const button = document.getElementById("sim-run"), error = document.getElementById("sim-error");
          button.disabled = true; error.textContent = "";
          const r = await fetch("/api/simulations", { method: "POST", headers: { "X-Tern-Csrf": csrf }, body: new FormData(f) });
          const body = await r.json().catch(() => ({}));
          button.disabled = false;
          if (r.ok) location.href = "/simulations/" + encodeURIComponent(body.id); else error.textContent = body.error || r.statusText;
        };
      }
      const rows = (d.runs || []).map((r) => `<tr data-sim="${esc(r.id)}"><td><a href="/simulations/${encodeURIComponent(r.id)}">${esc(r.id)}</a></td><td>${esc(r.user)}</td>
        <td class="wrap">${esc(r.asked.trace)}</td><td class="wrap">${esc(r.asked.spot)}</td><td>${runState(r)}</td><td>${when(r.submittedAt)}</td></tr>`).join("");
      list.innerHTML = rows ? `<table id="simulations"><thead><tr><th>Run</th><th>By</th><th>Trace</th><th>Spot</th><th>State</th><th>Started</th></tr></thead><tbody>${rows}</tbody></table>`
        : empty("No simulations yet", "Pick a trace and a spot set above and run the policies; the report shows here.");
    });
  }

  function simulation() {
    const id = app.dataset.id;
    let shown = false;
    subscribe("simulation", { id }, (r) => {
      if (shown) return;
      const head = `<h1>${esc(r.id)} <span class="muted">${esc(r.asked.trace)}</span> <span id="sim-state">${runState(r)}</span></h1>
        <div class="card">Spot: ${esc(r.asked.spot)} · seed ${esc(r.asked.seed)} · by ${esc(r.user)} · started ${when(r.submittedAt)}${r.finishedAt ? " · ended " + when(r.finishedAt) : ""}</div>`;
      if (r.state === "FAILED") { app.innerHTML = head + `<div class="empty"><h2 class="error" id="sim-failure">${esc(r.error)}</h2><p><a href="/simulations">Back to the simulations</a></p></div>`; shown = true; return; }
      if (r.state !== "DONE") { app.innerHTML = head + `<div class="bar wide"><div style="width:${(100 * r.fraction).toFixed(1)}%"></div></div>`; return; }
      shown = true;
      const s = r.summary, base = s.policies.find((p) => p.policy === "on-demand") || {};
      const rows = s.policies.map((p) => `<tr data-policy="${esc(p.policy)}"><td class="wrap policy"><b>${esc(p.policy)}</b><div class="muted">${esc(p.description)}</div></td>
        <td class="num cost">${usd(p.costUsd)}</td><td class="num">${usd(p.spotCostUsd)}</td><td class="num">${usd(p.onDemandCostUsd)}</td>
        <td class="num">${num(100 * p.spotShareOfGpuHours, 1)}%</td><td class="num">${p.policy === "on-demand" ? "–" : num(p.savingsVsOnDemandPercent, 1) + "%"}</td>
        <td class="num">${p.deadlineMisses} of ${p.deadlineJobs}</td><td class="num">${p.jobsUnfinished}</td><td class="num">${num(p.gpuHoursLostToPreemption, 1)}</td></tr>`).join("");
      app.innerHTML = head + `<div class="grid"><div class="stat"><div class="label">Jobs</div><div class="value">${num(s.jobs, 0)}</div></div>
        <div class="stat"><div class="label">Nodes / GPUs</div><div class="value">${num(s.nodes, 0)} / ${num(s.gpus, 0)}</div></div>
        <div class="stat"><div class="label">Trace span</div><div class="value">${num(s.traceSpanHours, 0)} h</div></div>
        <div class="stat"><div class="label">All on-demand</div><div class="value">${usd(base.costUsd)}</div></div></div>
        <table id="sim-results"><thead><tr><th>Policy</th><th class="num">Cost</th><th class="num">Spot</th><th class="num">On-demand</th><th class="num">Spot GPU-h</th>
        <th class="num">Saved</th><th class="num">Deadlines missed</th><th class="num">Unfinished</th><th class="num">GPU-h lost</th></tr></thead><tbody>${rows}</tbody></table>
        <h2>Report <a class="action" href="/simulations/${encodeURIComponent(r.id)}/report" target="_blank" rel="noopener">Open in a tab</a></h2>
        <iframe class="report" id="sim-report" title="simulation report" src="/simulations/${encodeURIComponent(r.id)}/report"></iframe>`;
    });
  }

  ({ jobs, job, queue, nodes, cost, offpeak, simulations, simulation })[view]();
})();
