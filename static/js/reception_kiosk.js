// The reception kiosk's thank-you page: back to an empty sign-in form for the next
// visitor after a few seconds (the "Next visitor" button does it at once).
(function () {
  "use strict";
  var note = document.querySelector("[data-return-after]");
  if (!note) {
    return;
  }
  var seconds = parseInt(note.getAttribute("data-return-after"), 10) || 10;
  var target = note.getAttribute("data-return-to");
  window.setTimeout(function () {
    window.location.replace(target);
  }, seconds * 1000);
})();
