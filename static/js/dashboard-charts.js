// Draws the dashboard's charts with Chart.js (served by the app from node_modules, never a CDN) from the
// series the page embeds; the tables under each chart carry the same figures for readers without scripts.
(function () {
  const source = document.getElementById("dashboard-series");
  if (!source || typeof window.Chart === "undefined") return;
  const series = JSON.parse(source.textContent);
  const labels = JSON.parse(document.getElementById("dashboard-labels").textContent);
  const lang = document.documentElement.lang || undefined;
  const number = (value) => value.toLocaleString(lang, { maximumSignificantDigits: 3 });
  const colours = { location: "#2f6f4f", market: "#9cc5a1" };
  const TOP = 10;  // ranking charts show the largest rows; the table lists them all

  function draw(name, horizontal) {
    const canvas = document.getElementById("chart-" + name);
    const rows = series[name] || [];
    if (!canvas || !rows.length) return;
    const shown = horizontal ? rows.slice(0, TOP) : rows;
    const datasets = [{ label: labels.location, data: shown.map((r) => r.co2e_location_kg),
                        backgroundColor: colours.location }];
    if (!horizontal) {
      datasets.push({ label: labels.market, data: shown.map((r) => r.co2e_market_kg), backgroundColor: colours.market });
    }
    const chart = new window.Chart(canvas, {
      type: "bar",
      data: { labels: shown.map((r) => r.key || "—"), datasets: datasets },
      options: {
        indexAxis: horizontal ? "y" : "x",
        animation: false,
        responsive: true,
        plugins: {
          legend: { display: !horizontal },
          tooltip: { callbacks: { label: (ctx) => ctx.dataset.label + ": " + number(ctx.raw) + " " + labels.unit } },
        },
        scales: { [horizontal ? "x" : "y"]: { beginAtZero: true, ticks: { callback: (v) => number(v) },
                                                 title: { display: true, text: labels.unit } } },
      },
    });
    canvas.dataset.rendered = "1";  // read by the browser tests
    canvas.dataset.total = String(rows.reduce((sum, r) => sum + r.co2e_location_kg, 0));
    return chart;
  }

  draw("by_month", false);
  draw("by_provider", true);
  draw("by_model", true);
  draw("by_team", true);
})();
