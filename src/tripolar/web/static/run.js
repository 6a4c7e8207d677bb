// Follows the background re-run of a stored run: polls its job, shows the progress, and
// reloads the run's page when the job has finished (the page then shows the comparison).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("rerun-job");
  if (!box) return;
  const status = document.getElementById("rerun-status");
  const bar = document.getElementById("rerun-progress");
  async function poll() {
    for (;;) {
      const r = await fetch(`/api/jobs/${encodeURIComponent(box.dataset.job)}`);
      const body = await r.json();
      if (!r.ok) { status.textContent = "error: " + (body.detail || r.status); return; }
      bar.value = body.progress;
      status.textContent = `${Math.round(100 * body.progress)}% (${body.step})`;
      if (body.status !== "running") { location.reload(); return; }
      await new Promise((ok) => setTimeout(ok, 300));
    }
  }
  poll();
});
