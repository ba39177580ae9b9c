// htmx sends the CSRF token from the hx-headers on <body>. A failed partial update must not fail
// silently: show the (translated) message the page carries.
document.addEventListener("htmx:responseError", () => {
  const alert = document.createElement("div");
  alert.className = "alert alert-danger";
  alert.setAttribute("role", "alert");
  alert.textContent = document.body.dataset.requestFailed;
  document.getElementById("content").prepend(alert);
});

// A select marked data-submit-on-change (the language switcher) sends its form when changed;
// here rather than in an inline handler, which the Content-Security-Policy forbids.
document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-submit-on-change]")) {
    event.target.form.requestSubmit();
  }
});
