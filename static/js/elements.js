// CMOC forms: each element is one text box; this shows the picker beside it and copies
// the chosen existing element's text into the box. Without it the box alone works.
(function () {
  "use strict";
  document.querySelectorAll("select[data-element-picker]").forEach(function (picker) {
    var box = document.getElementById(picker.dataset.elementPicker);
    if (!box) return;
    picker.closest(".element-picker").hidden = false;
    picker.addEventListener("change", function () {
      if (!picker.value) return;
      box.value = picker.value;
      box.focus();
    });
  });
})();
