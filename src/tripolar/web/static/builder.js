// Progressive enhancement of the treaty form: every change posts the treaty (as the
// treaty file's JSON) to /api/count and redraws the counts; errors show the API's message.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("treaty-form");
  const base = JSON.parse(document.getElementById("base-treaty").textContent);
  const out = document.getElementById("count-result");
  const err = document.getElementById("form-error");
  const num = (v) => (v === "" || v === null ? null : Number(v));

  function treaty() {
    const t = JSON.parse(JSON.stringify(base));
    const f = new FormData(form);
    t.id = f.get("id");
    t.name = f.get("name");
    t.baseline_year = Number(f.get("baseline_year"));
    t.compliance_date = f.get("compliance_date") || null;
    t.parties = f.getAll("party");
    t.counting.ballistic_missile_warheads = f.get("counting.ballistic_missile_warheads");
    t.counting.heavy_bomber_warheads = f.get("counting.heavy_bomber_warheads");
    t.counting.include_nonstrategic = f.get("counting.include_nonstrategic") !== null;
    form.querySelectorAll("#limits tbody tr").forEach((row) => {
      const lim = t.limits[Number(row.dataset.limit)];
      lim.id = row.querySelector('[name="limit.id"]').value;
      lim.quantity = row.querySelector('[name="limit.quantity"]').value;
      const c = row.querySelector('[name="limit.ceiling"]').value;
      if (c !== "" || typeof lim.ceiling === "number" || lim.ceiling === null) lim.ceiling = num(c);
      row.querySelectorAll('input[name^="limit.pp."]').forEach((inp) => {
        const party = inp.name.slice("limit.pp.".length);
        if (inp.value !== "") lim.per_party[party] = num(inp.value);
        else if (typeof lim.per_party[party] === "number") delete lim.per_party[party];
      });
    });
    const v = t.verification;
    v.data_exchanges_per_year = Number(f.get("verification.data_exchanges_per_year") || 0);
    v.inspections_per_year = Object.assign({}, v.inspections_per_year, {
      type_one: Number(f.get("verification.type_one") || 0),
      type_two: Number(f.get("verification.type_two") || 0),
    });
    v.notifications = f.get("verification.notifications") !== null;
    v.unique_identifiers = f.get("verification.unique_identifiers") !== null;
    return t;
  }

  function fmt(x) { return x === null || x === undefined ? "—" : Math.round(x).toLocaleString("en-US"); }
  function render(c) {
    const rows = [];
    for (const [party, pe] of Object.entries(c.parties)) {
      for (const [lid, l] of Object.entries(pe.limits)) {
        rows.push(`<tr><td>${party}</td><td>${pe.verdict}</td><td>${lid}</td><td class="n">${fmt(l.count)}</td><td class="n">${fmt(l.ceiling)}</td><td class="n">${fmt(l.headroom)}</td><td>${l.status}</td></tr>`);
      }
    }
    const esc = (s) => String(s).replace(/[&<>"]/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[ch]);
    out.innerHTML = `<p id="verdict" class="verdict">Overall: <strong>${esc(c.verdict)}</strong></p>` +
      `<table class="data" id="counts" data-csv="counts"><thead><tr><th>party</th><th>verdict</th><th>limit</th><th>count</th><th>ceiling</th><th>headroom</th><th>status</th></tr></thead><tbody>` +
      rows.map((r) => r.replace(/<td>([^<]*)<\/td>/g, (m, g) => `<td>${esc(g)}</td>`)).join("") + "</tbody></table>";
    window.tripolar.addCsvButtons(out);
  }

  let pending = null;
  let seq = 0;
  async function update() {
    const my = ++seq;
    const res = await fetch("/api/count", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(treaty()),
    });
    if (my !== seq) return;
    const body = await res.json();
    if (res.ok) {
      err.textContent = "";
      render(body);
      form.dataset.updated = String(my);
    } else {
      err.textContent = "error: " + body.detail;
    }
  }
  form.addEventListener("input", () => { clearTimeout(pending); pending = setTimeout(update, 150); });
  form.addEventListener("change", () => { clearTimeout(pending); pending = setTimeout(update, 50); });
  document.getElementById("download-yaml").addEventListener("click", async () => {
    const res = await fetch("/api/treaty/yaml", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(treaty()),
    });
    if (!res.ok) { err.textContent = "error: " + (await res.json()).detail; return; }
    window.tripolar.download(treaty().id + ".yaml", await res.text(), "application/yaml");
  });
});
