// Shared helpers: CSV export of every data table, Plotly config with PNG and SVG export.
"use strict";
(function () {
  function csvCell(text) {
    const t = text.replace(/\s+/g, " ").trim();
    return /[",\n]/.test(t) ? '"' + t.replace(/"/g, '""') + '"' : t;
  }
  function tableToCsv(table) {
    return Array.from(table.rows)
      .map((row) => Array.from(row.cells).map((c) => csvCell(c.textContent)).join(","))
      .join("\n") + "\n";
  }
  function download(name, text, type) {
    const a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([text], { type: type }));
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }
  function addCsvButtons(root) {
    (root || document).querySelectorAll("table[data-csv]").forEach((table) => {
      if (table.dataset.csvReady) return;
      table.dataset.csvReady = "1";
      const b = document.createElement("button");
      b.type = "button";
      b.className = "csv";
      b.textContent = "Export CSV";
      b.addEventListener("click", () => download(table.dataset.csv + ".csv", tableToCsv(table), "text/csv"));
      table.insertAdjacentElement("afterend", b);
    });
  }
  function plotConfig(name) {
    return {
      responsive: true,
      displaylogo: false,
      toImageButtonOptions: { format: "png", filename: name },
      modeBarButtonsToAdd: [
        {
          name: "Download plot as SVG",
          icon: window.Plotly ? window.Plotly.Icons.disk : undefined,
          click: (gd) => window.Plotly.downloadImage(gd, { format: "svg", filename: name }),
        },
      ],
    };
  }
  window.tripolar = { addCsvButtons: addCsvButtons, plotConfig: plotConfig, download: download, tableToCsv: tableToCsv };
  document.addEventListener("DOMContentLoaded", () => addCsvButtons(document));
})();
