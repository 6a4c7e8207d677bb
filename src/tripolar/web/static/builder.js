// The treaty builder: reads the whole form back into the treaty file's JSON, posts it to
// /api/treaty/check on every change and redraws the counts, or shows the message the
// command line gives for the same file. Limits, schedule steps, inspection types and
// citations are added from the <template> blocks the server rendered and removed in place.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("treaty-form");
  const base = JSON.parse(document.getElementById("base-treaty").textContent);
  const out = document.getElementById("count-result");
  const err = document.getElementById("form-error");
  const $ = (root, sel) => root.querySelector(sel);
  const $$ = (root, sel) => Array.from(root.querySelectorAll(sel));
  // Numbers go as numbers; anything else (blank included) goes as typed, so that the
  // treaty model, not this script, says what is wrong with it.
  const num = (s) => (s.trim() !== "" && Number.isFinite(Number(s)) ? Number(s) : s);
  const field = (root, name) => $(root, `[data-f="${name}"]`);
  const text = (root, name) => field(root, name).value;
  const date = (root, name) => text(root, name) || null;
  const checked = (root, name) => field(root, name).checked;

  function parties() {
    const ticked = $$(form, '#parties input[name="party"]').filter((i) => i.checked).map((i) => i.value);
    // keep the order of the treaty the form started from, new parties after
    return base.parties.filter((p) => ticked.includes(p)).concat(ticked.filter((p) => !base.parties.includes(p)));
  }

  function ceiling(span) {
    const kind = $(span, '[data-k="kind"]').value;
    const v = (k) => $(span, `[data-k="${k}"]`).value;
    switch (kind) {
      case "": return undefined;
      case "exempt": return null;
      case "number": return num(v("value"));
      case "freeze": return { freeze_at: num(v("year")) };
      case "cut": return { cut_from: num(v("year")), fraction: num(v("fraction")) };
      default: return { at_most_sum_of: v("of").split(/[\s,]+/).filter(Boolean), plus: num(v("plus") || "0") };
    }
  }

  function perParty(table) {
    const pp = {};
    $$(table, "tr[data-party]").forEach((row) => {
      if (row.hidden) return; // not a party now: not part of the treaty
      const c = ceiling($(row, "[data-ceil]"));
      if (c !== undefined) pp[row.dataset.party] = c;
    });
    return pp;
  }

  function mapping(textarea) {
    const m = {};
    textarea.value.split("\n").forEach((line) => {
      if (!line.trim()) return;
      const at = line.indexOf("=");
      const key = (at < 0 ? line : line.slice(0, at)).trim();
      m[key] = at < 0 ? "" : num(line.slice(at + 1).trim());
    });
    return m;
  }

  function limit(block) {
    const l = {
      id: text(block, "id"),
      quantity: text(block, "quantity"),
      description: text(block, "description"),
      ceiling: ceiling($(block, ":scope > label > [data-ceil]")) ?? null,
      per_party: perParty($(block, ":scope > details table.pp")),
      applies_to: null,
      applies_from: date(block, "applies_from"),
      schedule: $$(block, ".steps [data-step]").map((s) => ({
        date: date(s, "date") ?? "",
        ceiling: ceiling($(s, ":scope > label > [data-ceil]")) ?? null,
        per_party: perParty($(s, "table.pp")),
      })),
    };
    const to = $$(block, '[data-f="applies_to"]').filter((i) => i.checked && !i.closest("label").hidden).map((i) => i.value);
    if (to.length) l.applies_to = to;
    return l;
  }

  function treaty() {
    const head = form.querySelector("fieldset");
    const c = document.getElementById("counting");
    const v = document.getElementById("verification");
    const quotas = {};
    const types = {};
    $$(v, "tr[data-inspection]").forEach((row) => {
      const name = text(row, "type").trim();
      if (!name) return;
      if (text(row, "per_year") !== "") quotas[name] = num(text(row, "per_year"));
      if (text(row, "what") !== "") types[name] = text(row, "what");
    });
    return {
      id: text(head, "id"),
      name: text(head, "name"),
      kind: text(head, "kind"),
      description: text(head, "description"),
      signed: date(head, "signed"),
      entry_into_force: date(head, "entry_into_force"),
      compliance_date: date(head, "compliance_date"),
      expired: date(head, "expired"),
      baseline_year: num(text(head, "baseline_year")),
      parties: parties(),
      counting: {
        ballistic_missile_warheads: text(c, "ballistic_missile_warheads"),
        attribution: mapping(field(c, "attribution")),
        heavy_bomber_warheads: text(c, "heavy_bomber_warheads"),
        bomber_attribution: mapping(field(c, "bomber_attribution")),
        include_nonstrategic: checked(c, "include_nonstrategic"),
        include_retired: checked(c, "include_retired"),
      },
      limits: $$(form, "#limits > [data-limit]").map(limit),
      verification: {
        data_exchanges_per_year: num(text(v, "data_exchanges_per_year")),
        inspections_per_year: quotas,
        inspection_types: types,
        notifications: checked(v, "notifications"),
        unique_identifiers: checked(v, "unique_identifiers"),
        notes: text(v, "notes"),
      },
      citations: $$(form, "#citations tr[data-citation]").map((row) => ({
        title: text(row, "title"),
        publisher: text(row, "publisher"),
        date: text(row, "date"),
        url: text(row, "url"),
        source_id: text(row, "source_id") || null,
      })),
      notes: document.getElementById("treaty-notes").value,
    };
  }

  // -- the form's shape ---------------------------------------------------------------
  function showCeilingInputs(span) {
    const kind = $(span, '[data-k="kind"]').value;
    const shown = { "": [], exempt: [], number: ["value"], freeze: ["year"], cut: ["year", "fraction"], sum: ["of", "plus"] }[kind];
    $$(span, "input[data-k]").forEach((i) => { i.hidden = !shown.includes(i.dataset.k); });
    span.dataset.kind = kind;
  }
  function showParties() {
    const ps = parties();
    $$(form, "[data-party]").forEach((el) => { el.hidden = !ps.includes(el.dataset.party); });
  }
  function renumber() {
    $$(form, "#limits > [data-limit]").forEach((b, i) => {
      b.dataset.limit = String(i);
      $(b, ".limit-name").textContent = text(b, "id") || `(limit ${i + 1})`;
    });
  }
  function fromTemplate(id) {
    const node = document.getElementById(id).content.firstElementChild.cloneNode(true);
    $$(node, "[data-ceil]").forEach(showCeilingInputs);
    return node;
  }
  function changed() { showParties(); renumber(); schedule(50); }

  form.addEventListener("click", (ev) => {
    const b = ev.target.closest("button");
    if (!b) return;
    if (b.id === "add-limit") {
      const block = fromTemplate("limit-template");
      const ids = $$(form, '#limits [data-f="id"]').map((i) => i.value);
      let n = ids.length + 1;
      while (ids.includes(`limit_${n}`)) n += 1;
      field(block, "id").value = `limit_${n}`;
      document.getElementById("limits").appendChild(block);
      field(block, "id").focus();
    } else if (b.classList.contains("remove-limit")) {
      b.closest("[data-limit]").remove();
    } else if (b.classList.contains("add-step")) {
      b.closest("[data-limit]").querySelector(".steps").appendChild(fromTemplate("step-template"));
    } else if (b.classList.contains("remove-step")) {
      b.closest("[data-step]").remove();
    } else if (b.id === "add-inspection") {
      $(document.getElementById("inspections"), "tbody").appendChild(fromTemplate("inspection-template"));
    } else if (b.id === "add-citation") {
      $(document.getElementById("citations"), "tbody").appendChild(fromTemplate("citation-template"));
    } else if (b.classList.contains("remove-row")) {
      b.closest("tr").remove();
    } else {
      return;
    }
    changed();
  });
  form.addEventListener("change", (ev) => {
    if (ev.target.matches('[data-k="kind"]')) showCeilingInputs(ev.target.closest("[data-ceil]"));
    changed();
  });
  form.addEventListener("input", () => { renumber(); schedule(150); });
  $$(form, "[data-ceil]").forEach(showCeilingInputs);
  renumber();

  // -- counts ---------------------------------------------------------------------------
  function fmt(x) { return x === null || x === undefined ? "—" : Math.round(x).toLocaleString("en-US"); }
  const esc = (s) => String(s).replace(/[&<>"]/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[ch]);
  function render(c) {
    const rows = [];
    for (const [party, pe] of Object.entries(c.parties)) {
      for (const [lid, l] of Object.entries(pe.limits)) {
        rows.push(`<tr><td>${esc(party)}</td><td>${esc(pe.verdict)}</td><td>${esc(lid)}</td><td class="n">${fmt(l.count)}</td><td class="n">${fmt(l.ceiling)}</td><td class="n">${fmt(l.headroom)}</td><td>${esc(l.status)}</td></tr>`);
      }
    }
    out.innerHTML = `<p id="verdict" class="verdict">Overall: <strong>${esc(c.verdict)}</strong></p>` +
      `<table class="data" id="counts" data-csv="counts"><thead><tr><th>party</th><th>verdict</th><th>limit</th><th>count</th><th>ceiling</th><th>headroom</th><th>status</th></tr></thead><tbody>` +
      rows.join("") + "</tbody></table>";
    window.tripolar.addCsvButtons(out);
  }

  async function check() {
    const res = await fetch("/api/treaty/check", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(treaty()),
    });
    return { ok: res.ok, body: await res.json() };
  }
  let pending = null;
  let seq = 0;
  async function update() {
    const my = ++seq;
    const r = await check();
    if (my !== seq) return;
    if (r.ok) {
      err.textContent = "";
      render(r.body.counts);
      form.dataset.updated = String(my);
      form.dataset.valid = "1";
    } else {
      err.textContent = "error: " + r.body.detail;
      form.dataset.valid = "0";
    }
  }
  function schedule(ms) { clearTimeout(pending); pending = setTimeout(update, ms); }

  document.getElementById("download-yaml").addEventListener("click", async () => {
    const r = await check();
    if (!r.ok) { err.textContent = "error: " + r.body.detail; return; }
    window.tripolar.download(r.body.treaty.id + ".yaml", r.body.yaml, "application/yaml");
  });
  // The forms that take the treaty elsewhere (evaluate, compare, the room) carry its JSON.
  document.querySelectorAll("form.with-treaty").forEach((f) => {
    f.addEventListener("submit", () => { f.querySelector('[name="treaty_json"]').value = JSON.stringify(treaty()); });
  });
  window.tripolarBuilder = { treaty: treaty };
});
