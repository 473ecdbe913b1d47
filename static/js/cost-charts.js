// Draws the cost pages' charts with Chart.js (served by the app, never a CDN) from the specs the page embeds
// (apps/costs/charts.py); the table beside each chart carries the same figures for readers without scripts.
(function () {
  const source = document.getElementById("cost-charts");
  if (!source || typeof window.Chart === "undefined") return;
  const charts = JSON.parse(source.textContent);
  const lang = document.documentElement.lang || undefined;
  // toLocaleString never writes an exponent: no scientific notation on the axes or in the tooltips.
  const number = (value) => Number(value).toLocaleString(lang, { maximumSignificantDigits: 3 });
  const shown = (raw) => (Array.isArray(raw) ? number(raw[0]) + " – " + number(raw[1]) : number(raw));

  for (const [name, spec] of Object.entries(charts)) {
    const canvas = document.getElementById("chart-" + name);
    if (!canvas || !spec.labels.length) continue;
    const valueAxis = spec.horizontal ? "x" : "y";
    const labelAxis = spec.horizontal ? "y" : "x";
    const scales = {
      [valueAxis]: { beginAtZero: true, stacked: spec.stacked, ticks: { callback: (v) => number(v) },
                     title: { display: true, text: spec.unit } },
      [labelAxis]: { stacked: spec.stacked, ticks: { autoSkip: false } },
    };
    if (spec.max !== null) scales[valueAxis].max = spec.max;
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map((d) => ({ label: d.label, data: d.data, backgroundColor: d.colour })),
      },
      options: {
        indexAxis: spec.horizontal ? "y" : "x",
        animation: false,
        responsive: true,
        plugins: {
          tooltip: { callbacks: { label: (ctx) => ctx.dataset.label + ": " + shown(ctx.raw) + " " + spec.unit } },
        },
        scales: scales,
      },
    });
    canvas.dataset.rendered = "1";  // read by the browser tests
  }
})();
