// htmx sends the CSRF token from the hx-headers on <body>. A failed partial update must not fail
// silently: show the (translated) message the page carries.
document.addEventListener("htmx:responseError", () => {
  const alert = document.createElement("div");
  alert.className = "alert alert-danger";
  alert.setAttribute("role", "alert");
  alert.textContent = document.body.dataset.requestFailed;
  document.getElementById("content").prepend(alert);
});
