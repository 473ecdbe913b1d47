// Right-sizing slider: recompute each row's saving (requests x share x per-request difference) in the browser.
(function () {
  const slider = document.getElementById("share");
  const table = document.getElementById("right-sizing");
  if (!slider || !table) return;
  const out = document.getElementById("share-out");
  const lang = document.documentElement.lang || undefined;
  const fmt = (v) => (v === null ? "—" : v.toLocaleString(lang, { maximumSignificantDigits: 3 }));
  const num = (s) => (s === undefined || s === "" || s === "None" ? null : Number(s));
  function diff(a, b) { return a === null || b === null ? null : a - b; }
  function update() {
    const share = Number(slider.value) / 100;
    out.textContent = slider.value + " %";
    const totals = { kwh: 0, co2: 0, eur: 0 };
    table.querySelectorAll("tbody tr[data-requests]").forEach((row) => {
      const d = row.dataset;
      const moved = Number(d.requests) * share;
      const values = {
        kwh: diff(num(d.kwh), num(d.kwhSmall)),
        co2: diff(num(d.co2), num(d.co2Small)),
        eur: diff(num(d.eur), num(d.eurSmall)),
      };
      for (const key of Object.keys(values)) {
        const saving = values[key] === null ? null : moved * values[key];
        row.querySelector('[data-out="' + key + '"]').textContent = fmt(saving);
        if (saving !== null) totals[key] += saving;
      }
    });
    document.getElementById("total-kwh").textContent = fmt(totals.kwh);
    document.getElementById("total-co2").textContent = fmt(totals.co2);
    document.getElementById("total-eur").textContent = fmt(totals.eur);
  }
  slider.addEventListener("input", update);
})();
