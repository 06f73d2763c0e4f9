// On every page: focus moves to the first field the server marked wrong (so a screen reader
// reads its message, tied by aria-describedby), and fields with a length limit count down.
(function () {
  "use strict";
  var first = document.querySelector('main [aria-invalid="true"]');
  if (first) { first.focus(); }
  document.querySelectorAll("[maxlength][data-count]").forEach(function (input) {
    var hint = document.getElementById(input.getAttribute("data-count"));
    if (!hint) { return; }
    var limit = parseInt(input.getAttribute("maxlength"), 10);
    function update() {
      var left = limit - input.value.length;
      hint.textContent = input.value.length + " / " + limit;
      hint.classList.toggle("near", left < Math.max(10, limit / 10));
    }
    input.addEventListener("input", update);
    if (input.value.length) { update(); }
  });
})();
