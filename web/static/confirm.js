// "Are you sure?" for buttons and forms that carry data-confirm, and "select all" in lists.
(function () {
  "use strict";
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
  document.querySelectorAll("button[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
  // Batch approval: the button stays off until a task is ticked, so its "are you sure?"
  // never opens over an empty selection (the server still refuses an empty one).
  var all = document.getElementById("check-all");
  var boxes = document.querySelectorAll('input[type="checkbox"][name="task"]');
  var batch = document.getElementById("batch-approve");
  function refresh() {
    if (!batch) { return; }
    batch.disabled = !Array.prototype.some.call(boxes, function (box) { return box.checked; });
  }
  boxes.forEach(function (box) { box.addEventListener("change", refresh); });
  if (all) {
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
      refresh();
    });
  }
  refresh();
})();
