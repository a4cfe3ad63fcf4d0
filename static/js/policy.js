// The policy on a signing page. When the person opens it (expands the text, or opens
// the document), the form's hidden field records how many milliseconds after the page
// loaded that was; the server adds it to the time it served the page, so the browser's
// own clock is never used. A PDF is loaded into the page only when it is opened.
// Without JavaScript the policy still opens; the opening is just not recorded.
(function () {
  "use strict";

  function field() {
    return document.querySelector("input[data-policy-opened]");
  }

  function recordOpened() {
    var input = field();
    if (input && !input.value) {
      input.value = String(Math.max(0, Math.round(window.performance.now())));
    }
  }

  function loadDocument(details) {
    var frame = details.querySelector("iframe[data-src]");
    if (frame && !frame.getAttribute("src")) {
      frame.setAttribute("src", frame.getAttribute("data-src"));
    }
  }

  function setUp() {
    document.querySelectorAll("details[data-policy-reading]").forEach(function (details) {
      if (details.open) {
        // A short policy is shown open: it was on the screen from the start.
        recordOpened();
        loadDocument(details);
      }
      details.addEventListener("toggle", function () {
        if (details.open) {
          recordOpened();
          loadDocument(details);
        }
      });
    });
    document.querySelectorAll("[data-policy-open]").forEach(function (link) {
      link.addEventListener("click", recordOpened);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
