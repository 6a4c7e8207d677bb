// Runs an evaluation through /api/evaluate (a background job when not cached), shows its
// progress, then draws the stability and utility charts and fills the tables.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const req = JSON.parse(document.getElementById("eval-request").textContent);
  const status = document.getElementById("eval-status");
  const bar = document.getElementById("eval-progress");
  const box = document.getElementById("eval-result");
  const el = (tag, text) => { const e = document.createElement(tag); e.textContent = text; return e; };
  const f0 = (x) => (x === null || x === undefined ? "—" : Math.round(x).toLocaleString("en-US"));
  const f3 = (x) => (x === null || x === undefined ? "—" : Number(x).toFixed(3));
  function fill(id, rows) {
    const tb = document.querySelector(`#${id} tbody`);
    tb.textContent = "";
    for (const r of rows) { const tr = document.createElement("tr"); r.forEach((c) => tr.appendChild(el("td", c))); tb.appendChild(tr); }
  }
  function show(res, doneText) {
    box.hidden = false;
    const cases = res.stability.cases;
    const postures = [...new Set(cases.map((c) => c.posture))];
    const label = (c) => c.attacker.join("+") + "->" + c.victim;
    const traces = postures.map((p) => {
      const cs = cases.filter((c) => c.posture === p);
      return {
        type: "bar", name: p, x: cs.map(label), y: cs.map((c) => c.stability_index.fsi.median),
        error_y: { type: "data", symmetric: false,
          array: cs.map((c) => c.stability_index.fsi.p95 - c.stability_index.fsi.median),
          arrayminus: cs.map((c) => c.stability_index.fsi.median - c.stability_index.fsi.p05) },
      };
    });
    const chart = document.getElementById("stability-chart");
    Plotly.newPlot(chart, traces, { barmode: "group", yaxis: { title: "first-strike stability index (1 = stable)", range: [0, 1.05] }, margin: { t: 20 } },
      window.tripolar.plotConfig("stability-" + res.treaty)).then(() => chart.setAttribute("data-ready", "1"));
    const ls = res.stability.least_stable;
    document.getElementById("least-stable").textContent =
      `Least stable: ${ls.case} (${ls.posture}), ratio r = ${f3(ls.r)} for ${ls.party}; driven by ${ls.driver}.`;
    fill("stability-table", cases.map((c) => [c.posture, label(c), f0(c.surviving_warheads.median), f0(c.surviving_warheads.p05), f0(c.surviving_warheads.p95),
      f3(c.stability_index.fsi.median), f3(c.stability_index.fsi.p05), f3(c.stability_index.fsi.p95), c.driver]));
    const a = res.assessment;
    const rows = [];
    for (const [party, pd] of Object.entries(a.parties)) for (const [lid, l] of Object.entries(pd.limits)) rows.push([party, String(pd.complies), lid, f0(l.count), f0(l.ceiling), l.status]);
    fill("eval-counts", rows);
    const ver = a.verification || {};
    document.getElementById("verification-rule").textContent = ver.rule || "";
    fill("verification-table", Object.entries(ver.parties || {}).map(([p, v]) => [
      p, String(v.assessable), v.ceiling_limit ? `${v.ceiling_limit} (${f0(v.ceiling_warheads)})` : "—",
      f0(v.excess_warheads), v.inspections_needed === null ? "—" : String(v.inspections_needed),
      String(v.quota_type_one_per_year), v.quota_reaches === null ? "—" : String(v.quota_reaches), v.reason || ""]));
    const neg = a.negotiation;
    const uc = document.getElementById("utility-chart");
    if (neg && neg.utilities) {
      const ps = Object.keys(neg.utilities);
      Plotly.newPlot(uc, [{ type: "bar", x: ps, y: ps.map((p) => neg.utilities[p]), name: "utility vs no deal" }],
        { yaxis: { title: "utility (no deal = 0)" }, margin: { t: 20 } }, window.tripolar.plotConfig("utility-" + res.treaty));
      document.getElementById("zopa").textContent = (neg.in_zopa ? "In the ZOPA: every party prefers it to no deal." :
        "Not in the ZOPA: not better off: " + neg.not_better_off.join(", ") + ".") + ` Nash rank ${neg.nash_rank ?? "—"} of ${neg.ranked_among}. ${neg.rule}`;
    } else {
      document.getElementById("zopa").textContent = "Utilities need US, RU and CN as parties.";
    }
    fill("upload-table", Object.entries(a.parties).map(([p, pd]) => [p, f0(pd.upload && pd.upload.capacity_warheads), f0(pd.upload && pd.upload.reserve_warheads)]));
    const ul = document.getElementById("assumptions");
    ul.textContent = "";
    res.assumptions.forEach((s) => ul.appendChild(el("li", s)));
    window.tripolar.addCsvButtons(box);
    status.textContent = doneText;
    box.setAttribute("data-ready", "1");
  }
  async function poll(job) {
    for (;;) {
      const r = await fetch(`/api/jobs/${job}`);
      const body = await r.json();
      if (!r.ok || body.status === "error") { status.textContent = "error: " + (body.error || body.detail); bar.hidden = true; return; }
      bar.value = body.progress;
      status.textContent = `${Math.round(100 * body.progress)}% (${body.step})`;
      if (body.status === "done") { bar.hidden = true; show(body.result, "done"); return; }
      await new Promise((ok) => setTimeout(ok, 300));
    }
  }
  document.getElementById("run-evaluation").addEventListener("click", async () => {
    status.textContent = "starting";
    const r = await fetch("/api/evaluate", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(req) });
    const body = await r.json();
    if (!r.ok) { status.textContent = "error: " + body.detail; return; }
    if (body.status === "done") { show(body.result, body.cached ? "cached" : "done"); return; }
    bar.hidden = false;
    poll(body.job);
  });
});
