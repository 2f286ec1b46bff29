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

// The progress form: choosing "done" puts 100 in the progress field, and choosing
// another status puts back what the field held, so a person who only changes the
// status is not refused. The server still refuses done below 100% (and 100% with
// another status) when that is what was entered.
(function () {
  "use strict";
  var form = document.querySelector("#report form");
  var status = form && form.querySelector("select[name='status']");
  var progress = form && form.querySelector("input[name='progress']");
  if (!status || !progress) {
    return;
  }
  var before = progress.value;
  var last = status.value;
  status.addEventListener("change", function () {
    if (status.value === "done" && last !== "done") {
      before = progress.value;
      progress.value = "100";
    } else if (last === "done" && status.value !== "done" && progress.value === "100") {
      progress.value = before === "100" ? "" : before;
    }
    last = status.value;
  });
})();

// On a phone the summary shows its figures first: its lists start folded (a link to
// one of them keeps it open), and printing unfolds them all. Without scripts, or on
// a wider screen, every section stays open.
(function () {
  "use strict";
  var folds = document.querySelectorAll("details.fold");
  if (!folds.length) {
    return;
  }
  if (window.matchMedia("(max-width: 575.98px)").matches) {
    folds.forEach(function (fold) {
      var target = window.location.hash && fold.parentElement &&
        "#" + fold.parentElement.id === window.location.hash;
      fold.open = Boolean(target);
    });
  }
  window.addEventListener("beforeprint", function () {
    folds.forEach(function (fold) {
      fold.open = true;
    });
  });
})();
