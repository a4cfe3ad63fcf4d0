// The sign page: an optional drawn signature (signature_pad, touch and mouse), and a
// Sign button that can be pressed only once. Without JavaScript the page still works:
// tick to agree to each section and type your name.
(function () {
  "use strict";

  function setUpPad(form) {
    var box = form.querySelector("[data-signature-pad]");
    var canvas = form.querySelector("[data-signature-canvas]");
    var field = form.querySelector("input[name='drawn_signature']");
    if (!box || !canvas || !field || typeof window.SignaturePad !== "function") {
      return null;
    }
    box.hidden = false;
    var pad = new window.SignaturePad(canvas, { backgroundColor: "rgb(255, 255, 255)", penColor: "rgb(27, 27, 27)" });

    function resize() {
      // Match the canvas to its size on screen, sharp on high-density displays.
      var ratio = Math.max(window.devicePixelRatio || 1, 1);
      var data = pad.isEmpty() ? null : pad.toData();
      canvas.width = canvas.offsetWidth * ratio;
      canvas.height = canvas.offsetHeight * ratio;
      canvas.getContext("2d").scale(ratio, ratio);
      pad.clear();
      if (data) {
        pad.fromData(data);
      }
    }
    window.addEventListener("resize", resize);
    resize();

    var clear = form.querySelector("[data-signature-clear]");
    if (clear) {
      clear.addEventListener("click", function () {
        pad.clear();
        field.value = "";
      });
    }
    return { pad: pad, field: field };
  }

  function setUp(form) {
    var drawing = setUpPad(form);
    var button = form.querySelector("[data-sign-submit]");
    form.addEventListener("submit", function (event) {
      if (form.dataset.submitted === "true") {
        event.preventDefault(); // a double click: the first press is on its way
        return;
      }
      if (drawing) {
        drawing.field.value = drawing.pad.isEmpty() ? "" : drawing.pad.toDataURL("image/png");
      }
      form.dataset.submitted = "true";
      if (button) {
        // Disabled after this event, so the button's own press still submits.
        window.setTimeout(function () {
          button.disabled = true;
          button.textContent = "Signing…";
        }, 0);
      }
    });
  }

  document.querySelectorAll("[data-sign-form]").forEach(setUp);
})();
