/* Cyclades libre: small enhancements; every page works without this file.
   After a page load or an htmx swap, focus goes where a screen-reader user needs it (the error
   summary when there is one, else the new content's heading), which says the new step. */
(function () {
  "use strict";
  // Buttons only needed without JavaScript (htmx redraws on change) hide themselves.
  document.documentElement.classList.add("js");
  function focus(el) {
    if (!el) return false;
    if (!el.hasAttribute("tabindex")) el.setAttribute("tabindex", "-1");
    el.focus();
    return true;
  }
  function first(root, selectors) {
    for (var i = 0; i < selectors.length; i++) {
      var el = root.querySelector(selectors[i]);
      if (el) return el;
    }
    return null;
  }
  function announce(message) {
    var region = document.getElementById("announce");
    if (!region || !message) return;
    region.textContent = "";
    window.setTimeout(function () { region.textContent = message; }, 50);
  }
  // After htmx pushed a new URL (a tab swap), the footer's language form must bring the
  // candidate back to where they are now, not to the page first loaded.
  document.addEventListener("htmx:pushedIntoHistory", function () {
    var next = document.querySelector("form.lang input[name=next]");
    if (next) next.value = window.location.pathname + window.location.search;
  });
  // A select whose chosen text a narrow screen cuts: the whole of it written under it.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.id || select.tagName !== "SELECT") return;
    var shown = document.querySelector('[data-choice-of="' + select.id + '"]');
    if (!shown) return;
    var option = select.options[select.selectedIndex];
    shown.textContent = option && option.value ? option.text : "";
    shown.hidden = !shown.textContent;
  });
  document.addEventListener("DOMContentLoaded", function () {
    focus(document.querySelector(".error-summary"));
  });
  // Uploads (Mes justificatifs): a <progress> bar while the file travels, said once in words.
  function uploadForm(event) {
    var form = event.detail && event.detail.elt;
    return form && form.classList && form.classList.contains("upload") ? form : null;
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = uploadForm(event);
    if (!form) return;
    var box = form.querySelector(".upload-progress");
    if (box) box.hidden = false;
    announce(box ? box.textContent.trim() : "");
  });
  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = uploadForm(event);
    var bar = form && form.querySelector("progress");
    if (!bar || !event.detail.total) return;
    var percent = Math.round(event.detail.loaded * 100 / event.detail.total);
    bar.value = percent;
    bar.textContent = percent + " %";
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = uploadForm(event);
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (form && (status === 0 || status >= 500)) {
      // The connection broke or the server failed: nothing was kept; show it and say it,
      // instead of a frozen bar (a 4xx answer is the piece again, with its error).
      var box = form.querySelector(".upload-progress");
      var failed = form.querySelector(".upload-failed");
      if (box) box.hidden = true;
      if (failed) { failed.hidden = false; focus(failed); announce(failed.textContent.trim()); }
    }
  });
  // Before the session ends (WCAG 2.2.1): a dialog, a few minutes ahead, whose « Rester
  // connecté » extends the session without leaving the page (what is typed stays). Each answer
  // says how long is left (X-Session-Ends-In), so a « Suivant » pushes the dialog back.
  var dialog = document.getElementById("session-warning");
  if (dialog && dialog.showModal) {
    var endsAt = 0, timer = null, before = null;
    var warnBefore = parseInt(dialog.getAttribute("data-warn-before"), 10) * 1000;
    var alive = dialog.querySelector(".session-alive");
    var ended = dialog.querySelector(".session-ended");
    var left = dialog.querySelector(".session-left");
    var words = function (ms) {
      var minutes = Math.ceil(ms / 60000);
      if (ms < 60000) return dialog.getAttribute("data-less");
      if (minutes === 1) return dialog.getAttribute("data-one");
      return dialog.getAttribute("data-many").replace("{n}", minutes);
    };
    var arm = function (seconds) {
      endsAt = Date.now() + seconds * 1000 + 1000;  // never « ended » before the server says
      window.clearTimeout(timer);
      timer = window.setTimeout(tick, Math.max(0, endsAt - warnBefore - Date.now()));
    };
    var tick = function () {
      var remaining = endsAt - Date.now();
      if (remaining <= 0) {
        alive.hidden = true;
        ended.hidden = false;
        if (!dialog.open) dialog.showModal();
        focus(ended.querySelector("h2"));
        return;
      }
      left.textContent = words(remaining);
      if (!dialog.open) {
        before = document.activeElement;
        alive.hidden = false;
        ended.hidden = true;
        dialog.showModal();
        focus(alive.querySelector("button"));
      }
      timer = window.setTimeout(tick, Math.min(remaining, 15000));
    };
    var close = function (message) {
      dialog.close();
      if (before && before.focus) before.focus();
      announce(message);
    };
    dialog.querySelector("form.session-extend").addEventListener("submit", function (event) {
      event.preventDefault();
      var form = event.target;
      window.fetch(form.action, {method: "POST", body: new FormData(form),
                                 headers: {"HX-Request": "true"}, credentials: "same-origin"})
        .then(function (response) {
          var seconds = response.headers.get("X-Session-Ends-In");
          if (!response.ok || !seconds) { endsAt = 0; tick(); return; }
          arm(parseInt(seconds, 10));
          close(dialog.getAttribute("data-extended"));
        })
        .catch(function () { form.submit(); });  // offline for a moment: a plain post
    });
    dialog.querySelector(".session-close").addEventListener("click", function () {
      close("");
    });
    document.addEventListener("htmx:afterRequest", function (event) {
      var xhr = event.detail.xhr;
      var seconds = xhr && xhr.getResponseHeader("X-Session-Ends-In");
      if (seconds) arm(parseInt(seconds, 10));
    });
    arm(parseInt(dialog.getAttribute("data-ends-in"), 10));
  }
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (!target) return;
    // What the pieces page says of all the pieces, redrawn with a piece: the piece speaks.
    if (target.id === "pieces-state" || target.id === "declare-box") return;
    // A piece drawn again after an upload or a deletion: focus and say its news.
    if (target.classList && target.classList.contains("piece")) {
      var news = first(target, [".field-error:not([hidden])", ".piece-notice"]);
      focus(news || target.querySelector("h3"));
      if (news) announce(news.textContent.trim());
      return;
    }
    // A part of a form drawn again (lists that depend on a choice): htmx gives the focus back
    // to the field that had it (same id); say what changed.
    var updated = target.closest ? target.closest("[data-announce-update]") : null;
    if (updated && target.id !== "main" && target.id !== "tabs") {
      announce(updated.getAttribute("data-announce-update"));
      return;
    }
    if (target.id !== "main" && target.id !== "tabs") return;
    // The focused summary (an alert) or heading is read: it says the step, once. Only when
    // nothing could take the focus is the step said by the live region.
    var step = target.querySelector("[data-announce]");
    if (!focus(first(target, [".error-summary", "h2#step-title", "h1"])) && step) {
      announce(step.getAttribute("data-announce"));
    }
  });
})();
