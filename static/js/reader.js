// The reader: a selection in the page text fills the excerpt form with its quote and offsets.
// Offsets count Unicode code points (as the server does), not the UTF-16 units of the DOM.
(function () {
  "use strict";
  function codePoints(text) { return Array.from(text).length; }

  function selectionIn(pageText) {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) { return null; }
    var range = selection.getRangeAt(0);
    if (!pageText.contains(range.startContainer) || !pageText.contains(range.endContainer)) {
      return null;
    }
    var before = document.createRange();
    before.selectNodeContents(pageText);
    before.setEnd(range.startContainer, range.startOffset);
    var base = parseInt(pageText.dataset.start, 10);
    var start = base + codePoints(before.toString());
    var exact = range.toString();
    return { start: start, end: start + codePoints(exact), exact: exact };
  }

  function init() {
    var pageText = document.getElementById("page-text");
    var form = document.getElementById("selection-form");
    if (!pageText) { return; }
    function capture() {
      var chosen = selectionIn(pageText);
      if (!chosen || !form) { return; }
      form.elements.exact.value = chosen.exact;
      form.elements.start.value = chosen.start;
      form.elements.end.value = chosen.end;
      form.classList.add("has-selection");
    }
    pageText.addEventListener("mouseup", capture);
    pageText.addEventListener("keyup", function (event) {
      if (event.shiftKey || event.key === "Enter") { capture(); }
    });
    if (form) {
      // A quote typed or edited by hand is located on the page by the server instead.
      form.elements.exact.addEventListener("input", function () {
        form.elements.start.value = "";
        form.elements.end.value = "";
        form.classList.remove("has-selection");
      });
    }
    pageText.addEventListener("click", function (event) {
      var mark = event.target.closest("mark[data-excerpts]");
      if (!mark) { return; }
      var item = document.getElementById("excerpt-" + mark.dataset.excerpts.split(" ")[0]);
      if (item) { item.scrollIntoView({ block: "nearest" }); item.classList.add("flash"); }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); }
  else { init(); }
})();
