// Lets a file be dropped anywhere on the upload card.
(function () {
  const form = document.getElementById("upload-form");
  if (!form) return;
  const input = form.querySelector('input[type="file"]');
  ["dragenter", "dragover"].forEach((name) => form.addEventListener(name, (e) => {
    e.preventDefault(); form.classList.add("dragging");
  }));
  ["dragleave", "drop"].forEach((name) => form.addEventListener(name, (e) => {
    e.preventDefault(); form.classList.remove("dragging");
  }));
  form.addEventListener("drop", (e) => {
    if (e.dataTransfer.files.length) input.files = e.dataTransfer.files;
  });
})();
