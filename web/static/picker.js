// A filter box above each <select data-searchable>: typing a name, a unit, a title or pinyin
// (initials too: "hp" finds 何平) hides the options that do not match (words in data-search).
document.querySelectorAll("select[data-searchable]").forEach(function (select) {
  var box = document.createElement("input");
  box.type = "search";
  box.className = "picker-search";
  box.placeholder = select.getAttribute("data-searchable");
  box.setAttribute("aria-label", select.getAttribute("data-searchable"));
  select.parentNode.insertBefore(box, select);
  box.addEventListener("input", function () {
    var parts = box.value.toLowerCase().split(/\s+/).filter(Boolean);
    var first = null;
    Array.prototype.forEach.call(select.options, function (option) {
      var words = option.getAttribute("data-search");
      var shown = !words || parts.every(function (p) { return words.indexOf(p) !== -1; });
      option.hidden = !shown;
      if (shown && words && first === null) { first = option; }
    });
    if (select.multiple) { return; }  // several people (抄送): filtering never picks for the user
    var current = select.selectedOptions[0];
    // the placeholder or a hidden choice gives way to the first match
    if (first !== null && (!current || current.hidden || !current.getAttribute("data-search"))) {
      first.selected = true;
      select.dispatchEvent(new Event("change", {bubbles: true}));  // e.g. the route preview redraws
    }
  });
});
