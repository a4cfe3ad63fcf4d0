// The GOV.UK error summary: focused when the page loads (so a screen reader reads it and
// the page scrolls to it, even when it sits in the second form on the page), and its
// links move focus to the box in error with its label or legend in view.
(function () {
  "use strict";
  if (window.errorSummaryReady) return; // included once per form in error
  window.errorSummaryReady = true;

  function labelFor(input) {
    var fieldset = input.closest("fieldset");
    if (fieldset) {
      var legend = fieldset.querySelector("legend");
      if (legend) return legend;
    }
    return input.id ? document.querySelector('label[for="' + CSS.escape(input.id) + '"]') : null;
  }

  function start() {
    var summaries = document.querySelectorAll("[data-error-summary]");
    if (!summaries.length) return;
    var first = summaries[0];
    if (document.activeElement !== first) first.focus();
    first.scrollIntoView({ block: "start" });
    summaries.forEach(function (summary) {
      summary.addEventListener("click", function (event) {
        var link = event.target.closest("a[href^='#']");
        if (!link) return;
        var input = document.getElementById(decodeURIComponent(link.hash.slice(1)));
        if (!input) return;
        event.preventDefault();
        var label = labelFor(input);
        (label || input).scrollIntoView({ block: "start" });
        input.focus({ preventScroll: true });
        history.replaceState(null, "", link.hash);
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
