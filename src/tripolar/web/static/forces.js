"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const el = document.getElementById("history-chart");
  const data = JSON.parse(document.getElementById("history-data").textContent);
  const hasBand = data.low.some((v) => v !== null) || data.high.some((v) => v !== null);
  const traces = [{ x: data.year, y: data.value, mode: "lines+markers", name: "estimate" }];
  if (hasBand) {
    traces.push({ x: data.year, y: data.low, mode: "lines", name: "low", line: { dash: "dot" } });
    traces.push({ x: data.year, y: data.high, mode: "lines", name: "high", line: { dash: "dot" } });
  }
  Plotly.newPlot(el, traces, {
    title: el.dataset.title,
    xaxis: { title: "year" },
    yaxis: { title: "warheads", rangemode: "tozero" },
    margin: { t: 40 },
  }, window.tripolar.plotConfig("stockpile-history")).then(() => el.setAttribute("data-ready", "1"));
});
