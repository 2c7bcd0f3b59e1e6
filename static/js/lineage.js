// Pan and zoom for the lineage diagram. The SVG is drawn at its natural size (text >= 12 px)
// and its box scrolls; this adds zoom (never below 100%, so text stays readable), pan
// buttons, keys (+ - 0 zoom, arrows pan, once the box has focus) and dragging with the
// mouse. Without it the box still scrolls.
(function () {
  "use strict";
  var STEPS = [1, 1.25, 1.5, 2, 3];
  var PAN = 120;

  document.querySelectorAll("[data-diagram-tools]").forEach(function (tools) {
    var box = document.getElementById(tools.dataset.diagramTools);
    var svg = box && box.querySelector("svg");
    if (!svg) return;
    var natural = { w: svg.viewBox.baseVal.width, h: svg.viewBox.baseVal.height };
    var level = 0;
    var shown = tools.querySelector("output");
    tools.hidden = false;

    function zoomTo(next) {
      next = Math.max(0, Math.min(STEPS.length - 1, next));
      // Keep the point at the centre of the box where it is.
      var cx = (box.scrollLeft + box.clientWidth / 2) / STEPS[level];
      var cy = (box.scrollTop + box.clientHeight / 2) / STEPS[level];
      level = next;
      var scale = STEPS[level];
      svg.setAttribute("width", Math.round(natural.w * scale));
      svg.setAttribute("height", Math.round(natural.h * scale));
      box.scrollLeft = cx * scale - box.clientWidth / 2;
      box.scrollTop = cy * scale - box.clientHeight / 2;
      box.dataset.zoom = String(scale);
      shown.textContent = Math.round(scale * 100) + "%";
      tools.querySelector("[data-zoom=out]").disabled = level === 0;
      tools.querySelector("[data-zoom=in]").disabled = level === STEPS.length - 1;
      tools.querySelector("[data-zoom=reset]").disabled = level === 0;
    }

    function pan(dx, dy) {
      box.scrollBy({ left: dx, top: dy });
    }

    var actions = {
      "in": function () { zoomTo(level + 1); },
      "out": function () { zoomTo(level - 1); },
      "reset": function () { zoomTo(0); },
      "left": function () { pan(-PAN, 0); },
      "right": function () { pan(PAN, 0); },
      "up": function () { pan(0, -PAN); },
      "down": function () { pan(0, PAN); }
    };
    tools.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-zoom], button[data-pan]");
      if (button) actions[button.dataset.zoom || button.dataset.pan]();
    });
    box.addEventListener("keydown", function (event) {
      if (event.target !== box || event.ctrlKey || event.metaKey || event.altKey) return;
      var key = { "+": "in", "=": "in", "-": "out", "0": "reset", "ArrowLeft": "left",
                  "ArrowRight": "right", "ArrowUp": "up", "ArrowDown": "down" }[event.key];
      if (!key) return;
      event.preventDefault();
      actions[key]();
    });

    // Dragging pans; a drag that moved does not also follow the link it started on.
    var drag = null;
    box.addEventListener("pointerdown", function (event) {
      if (event.button !== 0 || event.pointerType !== "mouse") return;
      drag = { x: event.clientX, y: event.clientY, left: box.scrollLeft, top: box.scrollTop,
               moved: false };
    });
    box.addEventListener("pointermove", function (event) {
      if (!drag) return;
      var dx = event.clientX - drag.x, dy = event.clientY - drag.y;
      if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 5) return;
      if (!drag.moved) box.classList.add("dragging");
      drag.moved = true;
      box.scrollLeft = drag.left - dx;
      box.scrollTop = drag.top - dy;
    });
    function endDrag() {
      if (drag && drag.moved) {
        box.classList.remove("dragging");
        var swallow = function (event) { event.preventDefault(); };
        box.addEventListener("click", swallow, true);
        // The click, if any, comes in the same task as this pointerup.
        setTimeout(function () { box.removeEventListener("click", swallow, true); }, 0);
      }
      drag = null;
    }
    box.addEventListener("pointerup", endDrag);
    box.addEventListener("pointerleave", function () {
      if (drag && drag.moved) box.classList.remove("dragging");
      drag = null;
    });
    zoomTo(0);
  });
})();
