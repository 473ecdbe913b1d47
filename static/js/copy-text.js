// Copy buttons (data-copy="text"): shown only where the browser can write to the clipboard; once copied, the
// button is marked for a moment (class "copied") and says so to screen readers through its title.
(function () {
  if (!navigator.clipboard) return;
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", async function () {
      try {
        await navigator.clipboard.writeText(button.dataset.copy);
        button.classList.add("copied");
        setTimeout(function () { button.classList.remove("copied"); }, 1500);
      } catch (e) { /* permission refused: the full value stays in the title */ }
    });
  });
})();
