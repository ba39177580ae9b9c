// The idle-logout warning of forms where work could be lost (a form carrying the data
// attributes of {% session_guard %}): shortly before the session would end, a banner offers
// to stay signed in; if nobody answers, the form's draft button is pressed, so that the draft
// is saved while the session still lives. Typing in the form counts as activity.
(() => {
  const form = document.querySelector("form[data-session-guard]");
  if (!form) {
    return;
  }
  const data = form.dataset;
  const idleMs = Number(data.idleSeconds) * 1000;
  const warningMs = Number(data.warningSeconds) * 1000;
  let lastRequest = Date.now();
  let typedSinceRequest = false;
  let banner = null;

  function keepAlive() {
    const token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    return fetch(data.keepaliveUrl, {
      method: "POST",
      headers: { "X-CSRFToken": token },
      credentials: "same-origin",
    }).then(() => {
      lastRequest = Date.now();
      typedSinceRequest = false;
      removeBanner();
    });
  }

  function removeBanner() {
    if (banner) {
      banner.remove();
      banner = null;
    }
  }

  function showBanner() {
    banner = document.createElement("div");
    banner.className = "alert alert-warning d-flex flex-wrap gap-2 align-items-center session-warning";
    banner.setAttribute("role", "alert");
    const text = document.createElement("span");
    text.textContent = data.warningText;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-sm btn-primary";
    button.textContent = data.stayText;
    button.addEventListener("click", keepAlive);
    banner.append(text, button);
    document.getElementById("content").prepend(banner);
  }

  function saveDraft() {
    const button = form.querySelector(`button[name="${data.draftButton}"]`);
    if (!button || button.matches(":disabled")) {
      return; // nothing to save: a submitted result or a signed-off audit is read-only
    }
    banner.firstChild.textContent = data.savingText;
    form.requestSubmit(button);
  }

  form.addEventListener("input", () => {
    typedSinceRequest = true;
  });

  const timer = setInterval(() => {
    const idle = Date.now() - lastRequest;
    if (idle < idleMs - warningMs) {
      return;
    }
    if (typedSinceRequest) {
      // Someone is working in the form: that is activity the server has not seen yet.
      keepAlive();
    } else if (!banner) {
      showBanner();
    } else if (idle >= idleMs - warningMs / 2) {
      clearInterval(timer);
      saveDraft();
    }
  }, 5000);
})();
