// Keeps a room page current: polls what the protocol publishes and reloads on a change.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const m = location.pathname.match(/^\/rooms\/([^/]+)$/);
  if (!m) return;
  let last = null;
  async function tick() {
    try {
      const r = await fetch(`/api/rooms/${m[1]}/state`, { credentials: "same-origin" });
      if (!r.ok) return;
      const text = await r.text();
      if (last !== null && text !== last) location.reload();
      last = text;
    } finally {
      setTimeout(tick, 2000);
    }
  }
  tick();
});
