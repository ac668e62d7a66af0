/* Cyclades libre: small enhancements; every page works without this file.
   After a page load or an htmx swap, focus goes where a screen-reader user needs it:
   the error summary when there is one, else the new page's heading. */
(function () {
  "use strict";
  function focusFirst(root, selectors) {
    for (var i = 0; i < selectors.length; i++) {
      var el = root.querySelector(selectors[i]);
      if (el) {
        if (!el.hasAttribute("tabindex")) el.setAttribute("tabindex", "-1");
        el.focus();
        return el;
      }
    }
    return null;
  }
  document.addEventListener("DOMContentLoaded", function () {
    focusFirst(document, [".error-summary"]);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (target && target.id === "main") {
      focusFirst(target, [".error-summary", "h1"]);
    }
  });
})();
