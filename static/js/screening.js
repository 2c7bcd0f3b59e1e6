// Screening queue shortcuts: I include, E exclude, M maybe, 1-9 pick an exclusion reason,
// U undo the last decision.
// Loaded as a file (no inline script) so a strict Content-Security-Policy can forbid inline code.
(function () {
  "use strict";

  function typingIn(element) {
    return element && element.closest &&
      element.closest("textarea, select, input:not([type=radio]):not([type=checkbox]), [contenteditable]");
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typingIn(event.target)) return;
    var key = event.key.toLowerCase();
    var undo = document.querySelector("form[data-undo-form]");
    if (key === "u" && undo) {
      event.preventDefault();
      if (undo.dataset.submitting) return;
      undo.dataset.submitting = "true";
      undo.requestSubmit();
      return;
    }
    var form = document.querySelector("form[data-screening-form]");
    if (!form) return;

    if (/^[1-9]$/.test(key)) {
      var radio = form.querySelectorAll("input[name=exclusion_reason]")[Number(key) - 1];
      if (radio) {
        radio.checked = true;
        event.preventDefault();
      }
      return;
    }

    var button = form.querySelector('button[data-key="' + key + '"]');
    if (!button) return;
    event.preventDefault();
    if (key === "e" && form.dataset.reasonRequired === "true" &&
        !form.querySelector("input[name=exclusion_reason]:checked")) {
      var hint = form.querySelector("[data-reason-hint]");
      if (hint) hint.hidden = false;
      return;
    }
    if (form.dataset.submitting) return;  // a held-down key must not decide twice
    form.dataset.submitting = "true";
    form.requestSubmit(button);
  });
})();
