// Polls the period's sign-off and export states while any is pending (as run-progress.js does for an upload),
// shows each state as it changes, and reloads once when nothing is pending, to show the figures and files.
(function () {
  const box = document.getElementById("period-tasks");
  if (!box) return;
  const pending = (state) => state === "queued" || state === "rendering";
  const rows = Array.from(box.querySelectorAll("tr[data-state]"));
  if (!document.getElementById("period-status") && !rows.some((row) => pending(row.dataset.state))) return;
  async function poll() {
    try {
      const response = await fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const period = await response.json();
        const status = document.getElementById("period-status");
        if (status) status.textContent = period.status_label;
        for (const exp of period.exports) {
          const row = document.getElementById("export-" + exp.format);
          if (!row || !exp.state || row.dataset.state === exp.state) continue;
          row.dataset.state = exp.state;
          const cell = row.querySelector(".export-state");
          cell.textContent = "";
          const label = document.createElement("span");
          label.className = "status status-" + exp.state;
          label.textContent = exp.state_label;
          cell.appendChild(label);
        }
        if (period.finished) { window.location.reload(); return; }
      }
    } catch (e) { /* network hiccup: try again */ }
    setTimeout(poll, 1000);
  }
  setTimeout(poll, 500);
})();
