// Polls the run's status until it is finished, then reloads once to show the final figures.
(function () {
  const box = document.getElementById("run");
  if (!box || box.dataset.finished === "1") return;
  const bar = document.getElementById("run-progress");
  const percent = document.getElementById("run-percent");
  const rows = document.getElementById("run-rows");
  const status = document.getElementById("run-status");
  const phase = document.getElementById("run-phase");
  async function poll() {
    try {
      const response = await fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const run = await response.json();
        bar.value = run.progress_percent;
        percent.textContent = run.progress_percent + " %";
        rows.textContent = run.rows_read.toLocaleString(document.documentElement.lang);
        status.textContent = run.status_label;
        phase.textContent = run.phase_text ? "· " + run.phase_text : "";
        if (run.finished) { window.location.reload(); return; }
      }
    } catch (e) { /* network hiccup: try again */ }
    setTimeout(poll, 1000);
  }
  setTimeout(poll, 500);
})();
