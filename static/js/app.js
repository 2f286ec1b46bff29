// Show only the fieldsets that belong to the chosen kind of task.
(function () {
  "use strict";
  var kind = document.querySelector(".task-form select[name='kind']");
  if (!kind) {
    return;
  }
  var sets = document.querySelectorAll(".kind-fields");
  function sync() {
    sets.forEach(function (set) {
      var kinds = (set.getAttribute("data-kind") || "").split(" ");
      set.hidden = kinds.indexOf(kind.value) === -1;
    });
  }
  kind.addEventListener("change", sync);
  sync();
})();

// A button marked data-print prints the page (no inline handlers: CSP).
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
