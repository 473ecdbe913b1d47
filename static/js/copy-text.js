// Copy buttons (data-copy="text"): shown only where the browser can write to the clipboard.
(function () {
  if (!navigator.clipboard) return;
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.hidden = false;
    const label = button.textContent;
    button.addEventListener("click", async function () {
      try {
        await navigator.clipboard.writeText(button.dataset.copy);
        button.textContent = button.dataset.copied;
        setTimeout(function () { button.textContent = label; }, 1500);
      } catch (e) { /* permission refused: the full value stays in the title */ }
    });
  });
})();
