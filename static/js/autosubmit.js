// Submits a form as soon as one of its fields marked data-autosubmit changes (the language switch, the rebound
// basis). A file, not an inline onchange: the Content-Security-Policy allows no inline script.
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field && field.hasAttribute && field.hasAttribute("data-autosubmit") && field.form) {
    field.form.submit();
  }
});
