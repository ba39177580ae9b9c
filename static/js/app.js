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

// A table wider than the screen scrolls inside its .table-responsive box; keyboard users can
// scroll it only if the box takes the focus (WCAG 2.1.1), unless it holds a link or control.
function focusableScrollBoxes(root) {
  root.querySelectorAll(".table-responsive").forEach((box) => {
    const scrolls = box.scrollWidth > box.clientWidth;
    if (scrolls && !box.hasAttribute("tabindex") && !box.querySelector("a, button, input, select, textarea")) {
      box.setAttribute("tabindex", "0");
    }
  });
}
document.addEventListener("DOMContentLoaded", () => focusableScrollBoxes(document));
document.addEventListener("htmx:afterSettle", (event) => focusableScrollBoxes(event.target));
